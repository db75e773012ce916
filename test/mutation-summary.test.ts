import { describe, expect, test } from '@jest/globals';
import type { EquivalentMutant } from './mutation/equivalent.ts';
import { mutationSummary, type MutationReport } from './mutation/summary.ts';

// One file with two conditions: the first one forced true is the equivalent mutant of the tests.
const SOURCE = ['export function pay(amount: number) {', "  if (amount > 0) return 'PAID';", "  if (amount < 0) throw new Error('negative');", "  return 'FREE';", '}'].join('\n');
const mutant = (mutatorName: string, replacement: string, status: 'Killed' | 'Survived', line: number, column: number) => ({
  mutatorName,
  replacement,
  status,
  location: { start: { line, column } },
});
const report = (...mutants: ReturnType<typeof mutant>[]): Record<string, MutationReport> => ({
  payments: { files: { 'pay.ts': { source: SOURCE, mutants } } },
});
const forcedTrue: EquivalentMutant = { file: 'pay.ts', code: 'if (amount > 0)', mutator: 'ConditionalExpression', replacement: 'true', why: 'amounts are positive' };

describe('the mutation summary', () => {
  test('marks a survivor that an entry names as equivalent, with its reason, and scores the rest apart', () => {
    const summary = mutationSummary(
      report(
        mutant('ConditionalExpression', 'false', 'Killed', 2, 7),
        mutant('ConditionalExpression', 'true', 'Survived', 2, 7),
        mutant('StringLiteral', '""', 'Survived', 2, 26),
        mutant('ConditionalExpression', 'true', 'Survived', 3, 7),
      ),
      {},
      '',
      [forcedTrue],
    );
    expect(summary).toContain('All files: 4 mutants, score 25.0 %; 33.3 % of those that are not equivalent.');
    expect(summary).toContain('| pay.ts:2:7 | ConditionalExpression | `` true `` | Survived | equivalent: amounts are positive |');
    expect(summary).toContain('| pay.ts:2:26 | StringLiteral | `` "" `` | Survived | not yet killed |');
    expect(summary).toContain('| pay.ts:3:7 | ConditionalExpression | `` true `` | Survived | not yet killed |');
    expect(summary).not.toContain('`` false ``');
    expect(summary).toMatch(/match no surviving mutant\n\nNone\./);
  });

  test('flags an entry whose mutant a test kills (the reason was wrong) or that matches no mutant (the code changed)', () => {
    const moved: EquivalentMutant = { ...forcedTrue, code: 'if (amount >= 0)' };
    const summary = mutationSummary(report(mutant('ConditionalExpression', 'true', 'Killed', 2, 7)), {}, '', [forcedTrue, moved]);
    expect(summary).toContain('All files: 1 mutants, score 100.0 %; 100.0 % of those that are not equivalent.');
    expect(summary).toContain('on `if (amount > 0)`: killed after all');
    expect(summary).toContain('on `if (amount >= 0)`: no such mutant');
    expect(summary).not.toContain('equivalent: amounts are positive');
  });

  test('tells apart two mutants of one kind on one line by where each starts', () => {
    const line = "  throw new Problem('type', 'detail');";
    const reports = { payments: { files: { 'pay.ts': { source: `\n${line}`, mutants: [mutant('StringLiteral', '""', 'Survived', 2, 21), mutant('StringLiteral', '""', 'Survived', 2, 29)] } } } };
    const entry = (code: string, why: string): EquivalentMutant => ({ file: 'pay.ts', code, mutator: 'StringLiteral', replacement: '""', why });
    const summary = mutationSummary(reports, {}, '', [entry("'type'", 'the type is never read'), entry("'detail'", 'the detail is never read')]);
    expect(summary).toContain('| pay.ts:2:21 | StringLiteral | `` "" `` | Survived | equivalent: the type is never read |');
    expect(summary).toContain('| pay.ts:2:29 | StringLiteral | `` "" `` | Survived | equivalent: the detail is never read |');
  });

  test('keeps the hand-written part of the summary as it was', () => {
    const before = `old tables\n<!-- Written by hand from here on; \`npm run mutation\` keeps it. -->\n## Notes\nkept\n`;
    expect(mutationSummary(report(), {}, before, [])).toMatch(/keeps it\. -->\n## Notes\nkept\n$/);
  });
});
