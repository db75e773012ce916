// The last step of `npm run bench`: the issue-16 targets beside this run's figures, from the
// figures the two parts wrote, both of one run (a report that mixed two runs would pair figures
// measured apart); then the two modes side by side, each from its last run.
import { requireSaneFigures } from './checks.ts';
import { MODE, MODES, oneRunOf, readFigures, writeResult, type Mode } from './mode.ts';
import type { OrderRun } from './place-orders.ts';
import type { PostgresConnections } from './postgres-connections.ts';

interface Results {
  /** The run both parts' figures are of (see RUN in bench/mode.ts). */
  run: string;
  deposits: { date: string; depositsPerSecond: number; pgbenchSimpleUpdateTps: number; ratio: number };
  saga: {
    date: string;
    runs: OrderRun[];
    bare: { ceiling: { perSecond: number }; latency: { p50Ms: number; p99Ms: number } };
    fractionOfCeiling: number;
    gateway: {
      viaGatewayPerSecond: number;
      directPerSecond: number;
      throughputRatio: number;
      cpuMsPerRequest: { gatewayViaGateway: number; ordersViaGateway: number; ordersDirect: number };
      cpuRatio: number;
    };
    idleMemory: { rssMiB: number; pssMiB: number };
    postgresConnections: PostgresConnections;
    workerReplicas?: { one: OrderRun };
  };
  lowRate: OrderRun;
  burst: OrderRun;
}

/** A mode's last results, if both parts of the bench have run in it and the same run wrote both; else why not. */
async function resultsOf(mode: Mode): Promise<Results | string> {
  const deposits = await readFigures<Results['deposits']>('deposits', mode);
  const saga = await readFigures<Results['saga']>('saga', mode);
  if (!deposits || !saga) return `the ${mode} mode lacks the figures of ${deposits ? 'the saga' : 'the deposits'}: run \`npm run bench\` whole`;
  const run = oneRunOf({ deposits, saga });
  if ('notOfOneRun' in run) return `the ${mode} mode's figures of the deposits and of the saga are ${run.notOfOneRun}: run \`npm run bench\` whole`;
  const lowRate = saga.runs.find((run) => run.offeredPerSecond === 5) ?? saga.runs[0];
  const burst = saga.runs.find((run) => run.offeredPerSecond === 'burst');
  if (!lowRate || !burst) return `the ${mode} mode's saga figures hold no rate run or no burst: run \`npm run bench\` whole`;
  return { run: run.run, deposits, saga, lowRate, burst };
}

const current = await resultsOf(MODE);
if (typeof current === 'string') throw new Error(`No report: ${current}`);
const { run, deposits, saga, lowRate, burst } = current;
const latencyLimit = Math.min(100, 1.3 * saga.bare.latency.p50Ms);

/** Whether this run met the target; undefined where issue 16 set none. */
const rows: [measure: string, figure: string, target: string, met: boolean | undefined][] = [
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
    'gateway CPU per request ÷ orders service CPU per request (through the gateway)',
    `${saga.gateway.cpuMsPerRequest.gatewayViaGateway} / ${saga.gateway.cpuMsPerRequest.ordersViaGateway} ms = ${saga.gateway.cpuRatio} (orders service straight: ${saga.gateway.cpuMsPerRequest.ordersDirect} ms)`,
    'none set by issue 16: as low as possible',
    undefined,
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
  `Run ${run} (${MODE}):`,
  '',
  '| measure | this run | target | met |',
  '| --- | --- | --- | --- |',
  ...rows.map(([measure, figure, target, met]) => `| ${measure} | ${figure} | ${target} | ${met === undefined ? '–' : met ? 'yes' : 'no'} |`),
].join('\n');
console.log(`\n${table}\n`);
console.log(`Written: ${await writeResult('targets.md', `${table}\n`)}`);

// The two modes side by side: a mode without figures of one run shows dashes, and why in its run's row.
const byMode = await Promise.all(MODES.map(resultsOf));
const figure = (show: (results: Results) => string | undefined) => byMode.map((results) => (typeof results === 'string' ? '–' : (show(results) ?? '–')));
const sideBySide: [measure: string, figures: string[]][] = [
  ['the run (its start)', byMode.map((results) => (typeof results === 'string' ? `none: ${results}` : results.run))],
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
  [
    'gateway CPU per request ÷ orders service CPU per request',
    figure((r) => `${r.saga.gateway.cpuMsPerRequest.gatewayViaGateway} / ${r.saga.gateway.cpuMsPerRequest.ordersViaGateway} ms = ${r.saga.gateway.cpuRatio}`),
  ],
  ['peak PostgreSQL client connections / max_connections', figure((r) => `${r.saga.postgresConnections.peak} / ${r.saga.postgresConnections.max}`)],
  ['whole tree’s memory at idle, after the load (PSS)', figure((r) => `${r.saga.idleMemory.pssMiB} MiB`)],
];
const sideBySideTable = [
  '| measure | dev server (`npm start`) | cluster (`npm run start:cluster`) |',
  '| --- | --- | --- |',
  ...sideBySide.map(([measure, figures]) => `| ${measure} | ${figures.join(' | ')} |`),
].join('\n');
console.log(`\n${sideBySideTable}\n`);
console.log(`Written: ${await writeResult('side-by-side.md', `${sideBySideTable}\n`, 'all modes')}`);
