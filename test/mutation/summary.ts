// The committed summary of the mutation reports (the full JSON and HTML reports are not committed).

/** The parts of Stryker's JSON report (mutation-testing-report-schema) that the summary reads. */
export interface MutationReport {
  files: Record<string, { mutants: Mutant[] }>;
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

/**
 * The summary of `reports` (per group), with the minutes of each group's last full run (`times`),
 * followed by the hand-written part of the summary as it was (`before`).
 */
export function mutationSummary(reports: Record<string, MutationReport>, times: Record<string, number>, before: string): string {
  const rows: string[] = [];
  const notes: string[] = [];
  const all: Mutant[] = [];
  for (const [group, report] of Object.entries(reports)) {
    for (const [path, { mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
      all.push(...mutants);
      const counts = COLUMNS.map((status) => mutants.filter((mutant) => mutant.status === status).length);
      rows.push(`| ${path} | ${group} | ${mutants.length} | ${score(mutants)} | ${counts.join(' | ')} |`);
      const sorted = [...mutants].sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);
      for (const mutant of sorted.filter(({ status }) => status === 'Survived' || status === 'NoCoverage' || status === 'Ignored')) {
        const where = `${path}:${mutant.location.start.line}:${mutant.location.start.column}`;
        const replacement = (mutant.replacement ?? '').replace(/\s+/g, ' ').slice(0, 80).replaceAll('|', '\\|');
        const reason = mutant.status === 'Ignored' ? (mutant.statusReason ?? '').replace(/\s+/g, ' ') : 'not yet killed';
        // A double-backtick code span, so that a replacement made of backticks shows as itself.
        notes.push(`| ${where} | ${mutant.mutatorName} | \`\` ${replacement} \`\` | ${mutant.status} | ${reason} |`);
      }
    }
  }
  return [
    '# Mutation testing summary',
    '',
    'Written by `npm run mutation` (README, "Mutation testing"); the full reports are in `reports/mutation/` (not committed).',
    '',
    `All files: ${all.length} mutants, score ${score(all)}.`,
    '',
    `| File | Group | Mutants | Score | ${COLUMNS.join(' | ')} |`,
    `|---|---|---|---|${COLUMNS.map(() => '---').join('|')}|`,
    ...rows,
    '',
    '## Mutants not killed',
    '',
    'Ignored ones carry the reason from their `// Stryker disable` comment in the code.',
    '',
    '| Where | Mutator | Replacement | Status | Why |',
    '|---|---|---|---|---|',
    ...notes,
    '',
    '## Run time',
    '',
    runTime(times),
    '',
    HAND_WRITTEN,
  ].join('\n') + handWritten(before);
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
