// The last step of `npm run bench`: the issue-16 targets beside this run's figures, from the
// results the two parts wrote (bench/results/<mode>/deposits.json and saga.json), all from one
// run; then the two modes side by side (bench/results/side-by-side.md), each from its last run.
import { existsSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { requireSaneFigures } from './checks.ts';
import { MODE, MODES, RESULTS, resultsFolder, writeResult, type Mode } from './mode.ts';
import type { OrderRun } from './place-orders.ts';
import type { PostgresConnections } from './postgres-connections.ts';

interface Results {
  deposits: { date: string; depositsPerSecond: number; pgbenchSimpleUpdateTps: number; ratio: number };
  saga: {
    date: string;
    runs: OrderRun[];
    bare: { ceiling: { perSecond: number }; latency: { p50Ms: number; p99Ms: number } };
    fractionOfCeiling: number;
    gateway: { viaGatewayPerSecond: number; directPerSecond: number; throughputRatio: number };
    idleMemory: { rssMiB: number; pssMiB: number };
    /** Not in results written before it was measured. */
    postgresConnections?: PostgresConnections;
    workerReplicas?: { one: OrderRun };
  };
  lowRate: OrderRun;
  burst: OrderRun;
}

/** A mode's last results, if both parts of the bench have run in it. */
async function resultsOf(mode: Mode): Promise<Results | undefined> {
  const file = (name: string) => new URL(name, resultsFolder(mode));
  if (!existsSync(file('deposits.json')) || !existsSync(file('saga.json'))) return undefined;
  const read = async (name: string) => JSON.parse(await readFile(file(name), 'utf8')) as unknown;
  const deposits = (await read('deposits.json')) as Results['deposits'];
  const saga = (await read('saga.json')) as Results['saga'];
  const lowRate = saga.runs.find((run) => run.offeredPerSecond === 5) ?? saga.runs[0];
  const burst = saga.runs.find((run) => run.offeredPerSecond === 'burst');
  if (!lowRate || !burst) throw new Error(`bench/results/${mode}/saga.json holds no rate run or no burst: run \`npm run bench\` whole`);
  return { deposits, saga, lowRate, burst };
}

const current = await resultsOf(MODE);
if (!current) throw new Error(`bench/results/${MODE}/ lacks deposits.json or saga.json: run \`npm run bench\` whole`);
const { deposits, saga, lowRate, burst } = current;
const latencyLimit = Math.min(100, 1.3 * saga.bare.latency.p50Ms);

const rows: [measure: string, figure: string, target: string, met: boolean][] = [
  [
    `burst orders/s ÷ bare-Temporal ceiling on the same ${MODE === 'cluster' ? 'cluster' : 'server'}`,
    `${burst.sustainedPerSecond} / ${saga.bare.ceiling.perSecond} = ${saga.fractionOfCeiling}`,
    '≥ 0.9',
    saga.fractionOfCeiling >= 0.9,
  ],
  [
    `POST → final status at ${lowRate.offeredPerSecond}/s, p50 / p99`,
    `${lowRate.toFinalP50Ms} / ${lowRate.toFinalP99Ms} ms (bare Temporal p50 ${saga.bare.latency.p50Ms} ms)`,
    `p50 ≤ 1.3 × bare and ≤ 100 ms: ≤ ${Math.round(latencyLimit)} ms`,
    lowRate.toFinalP50Ms <= latencyLimit,
  ],
  [`POST /api/orders at ${lowRate.offeredPerSecond}/s, p99`, `${lowRate.postP99Ms} ms`, '≤ 15 ms', lowRate.postP99Ms <= 15],
  [
    'order creation through the gateway ÷ straight to the service',
    `${saga.gateway.viaGatewayPerSecond} / ${saga.gateway.directPerSecond} = ${saga.gateway.throughputRatio}`,
    '≥ 0.8',
    saga.gateway.throughputRatio >= 0.8,
  ],
  [
    'deposits/s ÷ pgbench simple-update tps, same PostgreSQL',
    `${deposits.depositsPerSecond} / ${deposits.pgbenchSimpleUpdateTps} = ${deposits.ratio}`,
    '≥ 0.5',
    deposits.ratio >= 0.5,
  ],
  // PSS, not summed RSS: PostgreSQL's shared buffers would count once per backend.
  [
    'whole tree’s memory at idle, after the load (PSS)',
    `${saga.idleMemory.pssMiB} MiB (summed RSS ${saga.idleMemory.rssMiB} MiB)`,
    '≤ 1024 MiB',
    saga.idleMemory.pssMiB <= 1024,
  ],
];
requireSaneFigures({ deposits, saga });

const table = [
  '| measure | this run | target | met |',
  '| --- | --- | --- | --- |',
  ...rows.map(([measure, figure, target, met]) => `| ${measure} | ${figure} | ${target} | ${met ? 'yes' : 'no'} |`),
].join('\n');
console.log(`\n${table}\n`);
console.log(`Written: ${await writeResult('targets.md', `${table}\n`)}`);

// The two modes side by side: a mode not yet run here shows a dash.
const byMode = await Promise.all(MODES.map(resultsOf));
const figure = (show: (results: Results) => string | undefined) => byMode.map((results) => (results ? (show(results) ?? '–') : '–'));
const sideBySide: [measure: string, figures: string[]][] = [
  ['date of the run (deposits; saga)', figure((r) => `${r.deposits.date.slice(0, 16)}; ${r.saga.date.slice(0, 16)}`)],
  ['deposits/s through the gateway', figure((r) => String(r.deposits.depositsPerSecond))],
  ['pgbench simple-update tps, same PostgreSQL', figure((r) => String(r.deposits.pgbenchSimpleUpdateTps))],
  ['orders/s in a burst', figure((r) => String(r.burst.sustainedPerSecond))],
  ['bare-Temporal ceiling, workflows/s in a burst (same server or cluster)', figure((r) => String(r.saga.bare.ceiling.perSecond))],
  ['burst ÷ ceiling', figure((r) => String(r.saga.fractionOfCeiling))],
  ['orders/s in a burst, 1 copy of each worker and of the relay', figure((r) => (r.saga.workerReplicas ? String(r.saga.workerReplicas.one.sustainedPerSecond) : undefined))],
  ['orders/s in a burst, 2 copies of each worker and of the relay', figure((r) => (r.saga.workerReplicas ? String(r.burst.sustainedPerSecond) : undefined))],
  ['POST → final status at the lowest rate, p50 / p99', figure((r) => `${r.lowRate.toFinalP50Ms} / ${r.lowRate.toFinalP99Ms} ms`)],
  ['bare Temporal one at a time, p50 / p99', figure((r) => `${r.saga.bare.latency.p50Ms} / ${r.saga.bare.latency.p99Ms} ms`)],
  ['POST /api/orders at the lowest rate, p99', figure((r) => `${r.lowRate.postP99Ms} ms`)],
  ['order creation through the gateway ÷ straight to the service', figure((r) => String(r.saga.gateway.throughputRatio))],
  ['peak PostgreSQL client connections / max_connections', figure((r) => (r.saga.postgresConnections ? `${r.saga.postgresConnections.peak} / ${r.saga.postgresConnections.max}` : undefined))],
  ['whole tree’s memory at idle, after the load (PSS)', figure((r) => `${r.saga.idleMemory.pssMiB} MiB`)],
];
const sideBySideTable = [
  '| measure | dev server (`npm start`) | cluster (`npm run start:cluster`) |',
  '| --- | --- | --- |',
  ...sideBySide.map(([measure, figures]) => `| ${measure} | ${figures.join(' | ')} |`),
].join('\n');
console.log(`\n${sideBySideTable}\n`);
await writeFile(new URL('side-by-side.md', RESULTS), `${sideBySideTable}\n`);
console.log('Written: bench/results/side-by-side.md');
