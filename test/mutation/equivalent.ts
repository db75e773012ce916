// The mutants that no test can tell from the original, each with the reason: the summary marks a
// survivor that matches an entry as equivalent, and flags an entry that matches no survivor (its
// code changed, or a test now kills it: then the reason was wrong). One list, not
// `// Stryker disable` comments in the code: such a comment names a mutator, and a mutator makes
// several mutants on a line (a condition forced true and forced false) of which often only one is
// equivalent; the comment would hide the other as well.

/** One equivalent mutant: the mutator's replacement of the line in `file` that contains `code`. */
export interface EquivalentMutant {
  file: string;
  code: string;
  mutator: string;
  replacement: string;
  why: string;
}

export const EQUIVALENT_MUTANTS: EquivalentMutant[] = [];
