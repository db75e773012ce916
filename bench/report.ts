// The last step of `npm run bench`: the issue-16 targets beside this run's figures, from the
// results the two parts wrote (bench/results/deposits.json and saga.json), all from one run.
import { readFile, writeFile } from 'node:fs/promises';
import { requireFinite } from './checks.ts';
import type { OrderRun } from './place-orders.ts';

const results = new URL('results/', import.meta.url);
const read = async <T>(name: string) => JSON.parse(await readFile(new URL(name, results), 'utf8')) as T;
const deposits = await read<{ depositsPerSecond: number; pgbenchSimpleUpdateTps: number; ratio: number }>('deposits.json');
const saga = await read<{
  runs: OrderRun[];
  bare: { ceiling: { perSecond: number }; latency: { p50Ms: number; p99Ms: number } };
  fractionOfCeiling: number;
  gateway: { viaGatewayPerSecond: number; directPerSecond: number; throughputRatio: number };
  idleMemory: { rssMiB: number; pssMiB: number };
}>('saga.json');

const lowRate = saga.runs.find((run) => run.offeredPerSecond === 5) ?? saga.runs[0];
const burst = saga.runs.find((run) => run.offeredPerSecond === 'burst');
if (!lowRate || !burst) throw new Error('saga.json holds no rate run or no burst: run `npm run bench` whole');
const latencyLimit = Math.min(100, 1.3 * saga.bare.latency.p50Ms);

const rows: [measure: string, figure: string, target: string, met: boolean][] = [
  [
    'burst orders/s ÷ bare-Temporal ceiling on the same server',
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
requireFinite({ deposits, saga });

const table = [
  '| measure | this run | target | met |',
  '| --- | --- | --- | --- |',
  ...rows.map(([measure, figure, target, met]) => `| ${measure} | ${figure} | ${target} | ${met ? 'yes' : 'no'} |`),
].join('\n');
console.log(`\n${table}\n`);
await writeFile(new URL('targets.md', results), `${table}\n`);
console.log('Written: bench/results/targets.md');
