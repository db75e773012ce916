// `npm run mutation [-- group…]`: Stryker on the money- and security-critical files, one group at a
// time (test/mutation/groups.ts), then the summary in test/mutation/summary.md from the JSON reports.
// `npm run mutation -- --summary` only writes the summary from the reports there are.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { MUTATION_GROUPS } from './groups.ts';
import { removeDataOfEndedRunners } from './runner-postgres.ts';
import { mutationSummary, type MutationReport } from './summary.ts';

const summaryOnly = process.argv[2] === '--summary';
const names = summaryOnly ? [] : process.argv.length > 2 ? process.argv.slice(2) : Object.keys(MUTATION_GROUPS);
const unknown = names.filter((name) => !(name in MUTATION_GROUPS));
if (unknown.length > 0) {
  console.error(`unknown mutation group ${unknown.join(', ')}; groups: ${Object.keys(MUTATION_GROUPS).join(', ')}`);
  process.exit(2);
}
// The Temporal CLI that the tests start, as `npm test` makes sure of.
if (names.length > 0 && spawnSync(process.execPath, ['scripts/ensure-temporal-cli.ts'], { stdio: 'inherit' }).status !== 0) process.exit(1);

// The minutes of each group's last full run (one with no earlier results to reuse), for the summary.
// Read afresh at each write: groups run by other `npm run mutation` processes at the same time write it too.
const TIMES = 'reports/mutation/times.json';
const readTimes = async (): Promise<Record<string, number>> => (existsSync(TIMES) ? (JSON.parse(await readFile(TIMES, 'utf8')) as Record<string, number>) : {});

for (const name of names) {
  const full = !existsSync(`reports/mutation/${name}.incremental.json`);
  const started = Date.now();
  const run = spawnSync('npx', ['stryker', 'run', 'stryker.config.js'], { stdio: 'inherit', env: { ...process.env, MUTATION_GROUP: name } });
  const minutes = Math.round((Date.now() - started) / 60_000);
  console.log(`mutation group ${name}: ${minutes} min`);
  if (full && run.status === 0) {
    await writeFile(TIMES, JSON.stringify({ ...(await readTimes()), [name]: minutes }, null, 2));
  }
  // Stryker ends its test processes with SIGKILL, their PostgreSQL servers with them: their data stays.
  await removeDataOfEndedRunners();
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const reports: Record<string, MutationReport> = {};
for (const name of Object.keys(MUTATION_GROUPS)) {
  const path = `reports/mutation/${name}.json`;
  // An interrupted run leaves only its incremental file, with the mutants it got to.
  const partial = `reports/mutation/${name}.incremental.json`;
  if (existsSync(path)) reports[name] = JSON.parse(await readFile(path, 'utf8')) as MutationReport;
  else if (existsSync(partial)) reports[`${name} (interrupted)`] = JSON.parse(await readFile(partial, 'utf8')) as MutationReport;
}
const SUMMARY = 'test/mutation/summary.md';
const before = existsSync(SUMMARY) ? await readFile(SUMMARY, 'utf8') : '';
await writeFile(SUMMARY, mutationSummary(reports, await readTimes(), before));
console.log('summary written to test/mutation/summary.md; full reports in reports/mutation/');
