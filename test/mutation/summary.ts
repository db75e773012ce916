// The committed summary of the mutation reports (the full JSON and HTML reports are not committed).
import { EQUIVALENT_MUTANTS, type EquivalentMutant } from './equivalent.ts';

/** The parts of Stryker's JSON report (mutation-testing-report-schema) that the summary reads. */
export interface MutationReport {
  files: Record<string, { source: string; mutants: Mutant[] }>;
}

interface Mutant {
  mutatorName: string;
  replacement?: string;
  status: 'Killed' | 'Survived' | 'NoCoverage' | 'Timeout' | 'Ignored' | 'CompileError' | 'RuntimeError' | 'Pending';
  statusReason?: string;
  location: { start: { line: number; column: number } };
}

const COLUMNS = ['Killed', 'Timeout', 'Survived', 'NoCoverage', 'Ignored', 'RuntimeError', 'CompileError', 'Pending'] as const;

/** Score as Stryker counts it: detected (killed or timed out) over all valid mutants, ignored ones left out. */
function score(mutants: Mutant[]): string {
  const detected = mutants.filter(({ status }) => status === 'Killed' || status === 'Timeout').length;
  const valid = mutants.filter(({ status }) => ['Killed', 'Timeout', 'Survived', 'NoCoverage'].includes(status)).length;
  return valid === 0 ? 'n/a' : `${((100 * detected) / valid).toFixed(1)} %`;
}

/** Where the summary's own part ends: what follows it is written by hand, and kept when the summary is written again. */
const HAND_WRITTEN = '<!-- Written by hand from here on; `npm run mutation` keeps it. -->';

/** A mutant with where it is, and the equivalent-mutants entry it matches, if any. */
interface Placed extends Mutant {
  where: string;
  equivalent: EquivalentMutant | undefined;
}

/**
 * The summary of `reports` (per group), with the minutes of each group's last full run (`times`),
 * followed by the hand-written part of the summary as it was (`before`). `equivalents` are the
 * mutants known to be equivalent (test/mutation/equivalent.ts).
 */
export function mutationSummary(
  reports: Record<string, MutationReport>,
  times: Record<string, number>,
  before: string,
  equivalents: EquivalentMutant[] = EQUIVALENT_MUTANTS,
): string {
  const rows: string[] = [];
  const all: Placed[] = [];
  for (const [group, report] of Object.entries(reports)) {
    for (const [path, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
      const lines = source.split('\n');
      const placed = mutants.map((mutant) => ({
        ...mutant,
        where: `${path}:${mutant.location.start.line}:${mutant.location.start.column}`,
        equivalent: equivalents.find((entry) => matches(entry, path, lines[mutant.location.start.line - 1] ?? '', mutant)),
      }));
      all.push(...placed);
      const counts = COLUMNS.map((status) => mutants.filter((mutant) => mutant.status === status).length);
      rows.push(`| ${path} | ${group} | ${mutants.length} | ${score(mutants)} | ${score(notEquivalent(placed))} | ${counts.join(' | ')} |`);
    }
  }
  const notes = [...all]
    .sort((a, b) => a.where.localeCompare(b.where, undefined, { numeric: true }))
    .filter(({ status }) => status !== 'Killed' && status !== 'Timeout')
    .map((mutant) => {
      const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80).replaceAll('|', '\\|');
      const why = !isSurvivor(mutant) ? (mutant.statusReason ?? '').replace(/\s+/g, ' ').slice(0, 200) : mutant.equivalent ? `equivalent: ${mutant.equivalent.why}` : 'not yet killed';
      // A double-backtick code span, so that a replacement made of backticks shows as itself.
      return `| ${mutant.where} | ${mutant.mutatorName} | \`\` ${replacement} \`\` | ${mutant.status} | ${why.replaceAll('|', '\\|')} |`;
    });
  // An entry that matches no survivor: its code changed, or a test kills the mutant (so the reason was wrong).
  const stale = equivalents
    .filter((entry) => !all.some((mutant) => mutant.equivalent === entry && isSurvivor(mutant)))
    .map((entry) => `- \`${entry.file}\`, ${entry.mutator} \`${entry.replacement}\` on \`${entry.code}\`: ${all.some((mutant) => mutant.equivalent === entry) ? 'killed after all' : 'no such mutant'}`);
  return [
    '# Mutation testing summary',
    '',
    'Written by `npm run mutation` (README, "Mutation testing"); the full reports are in `reports/mutation/` (not committed).',
    '',
    `All files: ${all.length} mutants, score ${score(all)}; ${score(notEquivalent(all))} of those that are not equivalent.`,
    '',
    `| File | Group | Mutants | Score | Score of the not equivalent | ${COLUMNS.join(' | ')} |`,
    `|---|---|---|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows,
    '',
    '## Mutants not killed',
    '',
    'An equivalent one carries the reason from `test/mutation/equivalent.ts`.',
    '',
    '| Where | Mutator | Replacement | Status | Why |',
    '|---|---|---|---|---|',
    ...notes,
    '',
    '## Entries of equivalent.ts that match no surviving mutant',
    '',
    stale.length === 0 ? 'None.' : stale.join('\n'),
    '',
    '## Run time',
    '',
    runTime(times),
    '',
    HAND_WRITTEN,
  ].join('\n') + handWritten(before);
}

function isSurvivor({ status }: Mutant): boolean {
  return status === 'Survived' || status === 'NoCoverage';
}

function notEquivalent(mutants: Placed[]): Placed[] {
  return mutants.filter((mutant) => !(mutant.equivalent && isSurvivor(mutant)));
}

/**
 * The entry names this mutant: same file, mutator and replacement, and its code is on the mutant's
 * line, where the mutant starts (two mutants of one kind can share a line).
 */
function matches(entry: EquivalentMutant, path: string, line: string, mutant: Mutant): boolean {
  if (entry.file !== path || entry.mutator !== mutant.mutatorName || entry.replacement !== (mutant.replacement ?? '').replace(/\s+/g, ' ')) return false;
  const start = mutant.location.start.column - 1;
  for (let at = line.indexOf(entry.code); at >= 0; at = line.indexOf(entry.code, at + 1)) {
    if (at <= start && start < at + entry.code.length) return true;
  }
  return false;
}

function runTime(times: Record<string, number>): string {
  const groups = Object.entries(times);
  if (groups.length === 0) return 'No full run has been timed here yet.';
  const total = groups.reduce((sum, [, minutes]) => sum + minutes, 0);
  const each = groups.map(([group, minutes]) => `${group} ${minutes}`).join(', ');
  return `The last full run of each group (no earlier results reused) took, in minutes: ${each}; ${total} minutes in all, on the machine that wrote this summary.`;
}

function handWritten(before: string): string {
  const at = before.indexOf(HAND_WRITTEN);
  return at < 0 ? '\n' : before.slice(at + HAND_WRITTEN.length);
}
