// Which system `npm run bench` measures: the system as `npm start` runs it (Temporal's dev server),
// or, with BENCH_CLUSTER=1, as `npm run start:cluster` runs it (a cluster of two Temporal servers on
// PostgreSQL, two copies of every program). An environment variable rather than `-- --cluster`:
// every part must know the mode, and each inherits bench/run.ts's environment.
import { existsSync } from 'node:fs';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';

export const CLUSTER = process.env.BENCH_CLUSTER === '1';

export const MODES = ['dev-server', 'cluster'] as const;
export type Mode = (typeof MODES)[number];
export const MODE: Mode = CLUSTER ? 'cluster' : 'dev-server';

/**
 * One `npm run bench`: bench/run.ts hands its parts the run's id (when it started) in BENCH_RUN; a
 * part run alone is a run of its own. Each part stamps its figures with it, so that a report never
 * mixes the figures of two runs.
 */
export const RUN = process.env.BENCH_RUN ?? new Date().toISOString();

/**
 * Where the bench writes (not committed: the figures' home is the README's bench section): each
 * mode's results in a folder of its own, bench/results/dev-server/ and bench/results/cluster/, and
 * what sets the modes side by side in bench/results/ itself.
 */
const RESULTS = new URL('results/', import.meta.url);
const folderOf = (mode: Mode | 'all modes') => (mode === 'all modes' ? RESULTS : new URL(`${mode}/`, RESULTS));

/** Writes one file of this mode's results (or, given 'all modes', of both side by side); says where, as bench/results/.../<name>. */
export async function writeResult(name: string, content: string, mode: Mode | 'all modes' = MODE): Promise<string> {
  await mkdir(folderOf(mode), { recursive: true });
  await writeFile(new URL(name, folderOf(mode)), content);
  return `bench/results/${mode === 'all modes' ? '' : `${mode}/`}${name}`;
}

/** Writes one part's figures among this mode's results, as <part>.json, stamped with this run; says where. */
export function writeFigures(part: string, figures: object): Promise<string> {
  return writeResult(`${part}.json`, `${JSON.stringify({ run: RUN, ...figures }, null, 2)}\n`);
}

/** The one run that wrote the figures of several parts (by part), or why they are not of one run: what a report must refuse. */
export function oneRunOf(figures: Record<string, { run?: string }>): { run: string } | { notOfOneRun: string } {
  const runs = Object.entries(figures).map(([part, { run }]) => ({ part, run }));
  const run = runs[0]?.run;
  if (run !== undefined && runs.every((other) => other.run === run)) return { run };
  return { notOfOneRun: `not of one run (${runs.map((other) => `${other.part}: ${other.run ?? 'no run stamped'}`).join('; ')})` };
}

/**
 * One part's figures as last written in a mode, with the run that wrote them (none in figures
 * written before runs were stamped); undefined if that part has not run in that mode.
 */
export async function readFigures<Figures>(part: string, mode: Mode): Promise<(Figures & { run?: string }) | undefined> {
  const file = new URL(`${part}.json`, folderOf(mode));
  return existsSync(file) ? (JSON.parse(await readFile(file, 'utf8')) as Figures & { run?: string }) : undefined;
}

/**
 * The system of this mode, with these settings on top. A load test is one address and a few users
 * far over any sane limit: the gateway's request limits are off.
 */
export function startBenchSystem(label: string, env: Record<string, string> = {}): Promise<RunningSystem> {
  return startSystem({ label: `${label}-${MODE}`, logLevel: 'warn', cluster: CLUSTER, env: { ...WITHOUT_RATE_LIMITS, ...env } });
}
