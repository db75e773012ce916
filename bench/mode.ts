// Which system `npm run bench` measures: the system as `npm start` runs it (Temporal's dev server),
// or, with BENCH_CLUSTER=1, as `npm run start:cluster` runs it (a cluster of two Temporal servers on
// PostgreSQL, two copies of every program). An environment variable rather than `-- --cluster`:
// npm hands arguments to the last command of the chain only, and every part must know the mode.
import { mkdir, writeFile } from 'node:fs/promises';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';

export const CLUSTER = process.env.BENCH_CLUSTER === '1';

export const MODES = ['dev-server', 'cluster'] as const;
export type Mode = (typeof MODES)[number];
export const MODE: Mode = CLUSTER ? 'cluster' : 'dev-server';

/** Where the bench writes (not committed: the figures' home is the README's bench section). */
export const RESULTS = new URL('results/', import.meta.url);

/** Each mode's results in a folder of its own, side by side: bench/results/dev-server/ and bench/results/cluster/. */
export function resultsFolder(mode: Mode = MODE): URL {
  return new URL(`${mode}/`, RESULTS);
}

/** Writes one file of this mode's results; says where, as bench/results/<mode>/<name>. */
export async function writeResult(name: string, content: string): Promise<string> {
  await mkdir(resultsFolder(), { recursive: true });
  await writeFile(new URL(name, resultsFolder()), content);
  return `bench/results/${MODE}/${name}`;
}

/**
 * The system of this mode, with these settings on top. A load test is one address and a few users
 * far over any sane limit: the gateway's request limits are off.
 */
export function startBenchSystem(label: string, env: Record<string, string> = {}): Promise<RunningSystem> {
  return startSystem({ label: `${label}-${MODE}`, logLevel: 'warn', cluster: CLUSTER, env: { ...WITHOUT_RATE_LIMITS, ...env } });
}
