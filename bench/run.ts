// `npm run bench`: its parts in turn, as one run whose id (BENCH_RUN, its start) each part stamps
// on its figures, so that the report can tell figures of this run from those of an earlier one.
// The first part that fails ends the run.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { RUN } from './mode.ts';

for (const part of ['deposits.ts', 'saga.ts', 'report.ts']) {
  const { status } = spawnSync(process.execPath, [fileURLToPath(new URL(part, import.meta.url))], { stdio: 'inherit', env: { ...process.env, BENCH_RUN: RUN } });
  if (status !== 0) {
    process.exitCode = status ?? 1;
    break;
  }
}
