// The order saga under load, measured side by side in one run on the system as `npm start` runs
// it (or, with BENCH_CLUSTER=1, as `npm run start:cluster` does): latency against the offered rate
// and where it goes, the sustained rate, both against bare Temporal on the same server (or
// cluster), the gateway's own cost, each process's CPU and memory, and PostgreSQL's peak
// connections. Under the cluster mode, the burst again with one copy of each worker.
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { programCopiesRunning } from '../harness/processes.ts';
import { exportingTo, startOtlpReceiver } from '../harness/otlp-receiver.ts';
import type { RunningSystem } from '../harness/system.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { measureBareTemporal } from './bare-temporal/measure.ts';
import { requireAllSucceeded, requireSaneFigures } from './checks.ts';
import { latencyLegs, LEGS, type Leg } from './latency-legs.ts';
import { latencyPlot } from './latency-plot.ts';
import { CLUSTER, startBenchSystem, writeFigures, writeResult } from './mode.ts';
import { placeOrders, WARM_UP_ORDERS, warmedUpBenchUsers, type OrderRun } from './place-orders.ts';
import { samplePostgresConnections } from './postgres-connections.ts';
import { cpuSecondsBetween, sampleProcesses } from './process-stats.ts';
import { burstWithOneWorkerReplica } from './worker-replicas.ts';

const RATES = (process.env.BENCH_RATES ?? '5,10,15,20').split(',').map(Number);
const ORDERS_PER_RATE = Number(process.env.BENCH_ORDERS ?? 100);
const BURST = Number(process.env.BENCH_BURST ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** BENCH_TRACING=1: every program traces, exporting to a receiver in this process; results are written as saga-traced.*. */
const TRACING = process.env.BENCH_TRACING === '1';
/** How long the system rests after the burst (its last order final) before its memory counts as "at idle". */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 15);

const USERS = 20;
const where = CLUSTER ? 'cluster' : 'server';
const say = (line: string) => console.log(line);

/** Everything measured on one system, the saga's load and the rest. */
async function measure(system: RunningSystem) {
  const connections = await samplePostgresConnections(system.postgresUrl('postgres'));
  const temporal = readTemporalConnection(system.temporalClientEnv);
  say(`Funding ${USERS} users, then warming up (${WARM_UP_ORDERS} orders)...`);
  const tokens = await warmedUpBenchUsers(system, USERS);

  const runs: OrderRun[] = [];
  let legs: Record<Leg, { p50Ms: number; p99Ms: number }> | undefined;
  for (const rate of RATES) {
    say(`Orders at ${rate}/s (${ORDERS_PER_RATE})...`);
    const { run, ids } = await placeOrders(system, tokens, ORDERS_PER_RATE, rate);
    runs.push(run);
    // Where the time goes, at the lowest rate: one order's own latency, not a queue's.
    legs ??= await latencyLegs(system, temporal, ids);
  }
  say(`A burst of ${BURST} orders...`);
  const before = sampleProcesses(system.pid);
  const { run: burst } = await placeOrders(system, tokens, BURST, 0);
  const after = sampleProcesses(system.pid);
  runs.push(burst);
  const processes = after.map((sample) => ({
    process: sample.name,
    cpuPercentDuringBurst: Math.round((cpuSecondsBetween(before, after, sample.name) / burst.seconds) * 100),
    rssMiB: Math.round(sample.rssMiB),
    pssMiB: Math.round(sample.pssMiB),
  }));

  // Every order of the burst is final (placeOrders waited for them): the system has no work left.
  say(`Resting ${IDLE_SECONDS} s, then the whole tree's memory at idle...`);
  await sleep(IDLE_SECONDS * 1000);
  const idle = sampleProcesses(system.pid);
  const idleMemory = {
    rssMiB: Math.round(idle.reduce((sum, sample) => sum + sample.rssMiB, 0)),
    pssMiB: Math.round(idle.reduce((sum, sample) => sum + sample.pssMiB, 0)),
  };

  say(`Bare Temporal on the same ${where}: ${ORDERS_PER_RATE} workflows of the same shape one at a time, then a burst of ${BURST}...`);
  const bare = await measureBareTemporal(temporal, { burst: BURST, sequential: ORDERS_PER_RATE });

  say(`The gateway's cost: ${SECONDS} s of order creation through it, then ${SECONDS} s straight to the orders service...`);
  // The relay (each copy) is paused meanwhile, so the saga's work on these orders does not skew either side.
  const relays = await programCopiesRunning(system.pid, 'outbox-relay');
  for (const relay of relays) process.kill(relay.pid, 'SIGSTOP');
  // Under the cluster mode, over both copies on each side. autocannon takes a list of URLs, which its types do not say.
  // Each side with the CPU the gateway and the orders service used meanwhile (each program's copies summed).
  const create = async (urls: string[], headers: Record<string, string>) => {
    const cpuBefore = sampleProcesses(system.pid);
    const load = await autocannon({
      url: urls as unknown as string,
      connections: 16,
      duration: SECONDS,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ amount: 1, description: 'gateway cost' }),
    });
    const cpuAfter = sampleProcesses(system.pid);
    const cpuMsPerRequest = (program: 'gateway' | 'orders') => Math.round((cpuSecondsBetween(cpuBefore, cpuAfter, program) * 1000 * 1000) / load.requests.total) / 1000;
    return { load, cpuMsPerRequest };
  };
  const { load: viaGateway, cpuMsPerRequest: viaGatewayCpu } = await create(
    system.gatewayUrls.map((url) => `${url}/api/orders`),
    { authorization: `Bearer ${tokens[0] ?? ''}` },
  );
  const ordersPorts = [system.ports.ORDERS_PORT, ...(CLUSTER ? [system.ports.ORDERS_PORT_2] : [])];
  const { load: direct, cpuMsPerRequest: directCpu } = await create(
    ordersPorts.map((port) => `http://127.0.0.1:${port}/api/orders`),
    { 'x-internal-token': system.secrets.INTERNAL_TOKEN, 'x-user-id': 'saga-bench-0' },
  );
  for (const relay of relays) process.kill(relay.pid, 'SIGCONT');
  requireAllSucceeded('order creation through the gateway', viaGateway);
  requireAllSucceeded('order creation straight to the orders service', direct);
  // Issue 16: the gateway's CPU per request against the orders service's, in the same run.
  const cpuMsPerRequest = { gatewayViaGateway: viaGatewayCpu('gateway'), ordersViaGateway: viaGatewayCpu('orders'), ordersDirect: directCpu('orders') };
  const gateway = {
    viaGatewayPerSecond: Math.round(viaGateway.requests.average),
    directPerSecond: Math.round(direct.requests.average),
    viaGatewayP50Ms: viaGateway.latency.p50,
    directP50Ms: direct.latency.p50,
    throughputRatio: Math.round((viaGateway.requests.average / direct.requests.average) * 100) / 100,
    cpuMsPerRequest,
    cpuRatio: Math.round((cpuMsPerRequest.gatewayViaGateway / cpuMsPerRequest.ordersViaGateway) * 100) / 100,
  };

  const postgresConnections = await connections.stop();

  return { runs, burst, legs, bare, gateway, processes, idleMemory, postgresConnections };
}

const receiver = TRACING ? await startOtlpReceiver() : undefined;
const system = await startBenchSystem('bench-saga', receiver ? exportingTo(receiver) : {});
// Stopped before anything else runs: under the cluster mode, the next measure starts a cluster of its own.
const measured = await measure(system).finally(async () => {
  await system.stop();
  await receiver?.close();
});

const { runs, burst, legs, bare, gateway, processes, idleMemory, postgresConnections } = measured;
const fractionOfCeiling = Math.round((burst.sustainedPerSecond / bare.ceiling.perSecond) * 100) / 100;
// Orders/s in the burst with one copy of each worker and of the relay, against the two of the run above.
let workerReplicas: { one: OrderRun; ratioTwoToOne: number } | undefined;
if (CLUSTER) {
  say(`The burst of ${BURST} again, on a cluster with one copy of each worker and of the relay...`);
  const one = await burstWithOneWorkerReplica(USERS, BURST);
  workerReplicas = { one, ratioTwoToOne: Math.round((burst.sustainedPerSecond / one.sustainedPerSecond) * 100) / 100 };
}
const results = { date: new Date().toISOString(), cluster: CLUSTER, runs, legs, bare, fractionOfCeiling, gateway, processes, idleMemory, postgresConnections, workerReplicas };
requireSaneFigures(results);
console.table(runs);
console.table(legs);
console.table(processes);
console.log({ bare, ourBurstPerSecond: burst.sustainedPerSecond, fractionOfCeiling, gateway, idleMemory, postgresConnections, workerReplicas, tracing: TRACING, spansReceived: receiver?.spans.length });

const name = TRACING ? 'saga-traced' : 'saga';
const plot = TRACING ? 'latency-vs-rate-traced.svg' : 'latency-vs-rate.svg';
const table = [
  '| offered/s | sustained/s | POST p50 | POST p95 | POST p99 | to final p50 | to final p95 | to final p99 |',
  '| --- | --- | --- | --- | --- | --- | --- | --- |',
  ...runs.map((run) => `| ${run.offeredPerSecond} | ${run.sustainedPerSecond} | ${run.postP50Ms} ms | ${run.postP95Ms} ms | ${run.postP99Ms} ms | ${run.toFinalP50Ms} ms | ${run.toFinalP95Ms} ms | ${run.toFinalP99Ms} ms |`),
  '',
  `Bare Temporal (same workflow shape, no-op activities on two task queues, same ${where}): ${bare.ceiling.perSecond} workflows/s in a burst; one at a time p50 ${bare.latency.p50Ms} ms, p99 ${bare.latency.p99Ms} ms. Our burst: ${burst.sustainedPerSecond} orders/s = ${fractionOfCeiling} of the ceiling.`,
  '',
  `Where an order's time goes at ${RATES[0]}/s (from the order's row and its workflow's history):`,
  '',
  '| leg | p50 | p99 |',
  '| --- | --- | --- |',
  ...Object.entries(LEGS).map(([leg, text]) => `| ${text} | ${legs?.[leg as Leg].p50Ms} ms | ${legs?.[leg as Leg].p99Ms} ms |`),
  '',
  `Gateway cost (order creation, 16 connections, ${SECONDS} s each): ${gateway.viaGatewayPerSecond}/s through the gateway vs ${gateway.directPerSecond}/s straight to the orders service (ratio ${gateway.throughputRatio}); p50 ${gateway.viaGatewayP50Ms} ms vs ${gateway.directP50Ms} ms.`,
  '',
  `CPU per request${CLUSTER ? ' (each program\'s copies summed)' : ''}: through the gateway, the gateway ${gateway.cpuMsPerRequest.gatewayViaGateway} ms and the orders service ${gateway.cpuMsPerRequest.ordersViaGateway} ms (gateway ÷ orders service ${gateway.cpuRatio}); straight to the orders service, ${gateway.cpuMsPerRequest.ordersDirect} ms.`,
  '',
  ...(workerReplicas
    ? [
        `Burst of ${BURST} with 2 copies of each worker and of the relay: ${burst.sustainedPerSecond} orders/s; with 1: ${workerReplicas.one.sustainedPerSecond} orders/s (×${workerReplicas.ratioTwoToOne} with 2).`,
        '',
      ]
    : []),
  `PostgreSQL's client connections at their peak during the load: ${postgresConnections.peak} of max_connections ${postgresConnections.max} (${postgresConnections.samples} samples of pg_stat_activity).`,
  '',
  `| process${CLUSTER ? ' (its copies summed)' : ''} | CPU % during the burst | RSS MiB after the burst | PSS MiB after the burst |`,
  '| --- | --- | --- | --- |',
  ...processes.map((sample) => `| ${sample.process} | ${sample.cpuPercentDuringBurst} | ${sample.rssMiB} | ${sample.pssMiB} |`),
  '',
  `The whole tree at idle, ${IDLE_SECONDS} s after the burst's last order was final: ${idleMemory.pssMiB} MiB PSS (${idleMemory.rssMiB} MiB summed RSS, which counts shared pages once per process).`,
  '',
  `![latency against offered rate](${plot})`,
].join('\n');
await writeFigures(name, { ...results, tracing: TRACING });
await writeResult(plot, await latencyPlot(runs, { latencyP50Ms: bare.latency.p50Ms, ceilingPerSecond: bare.ceiling.perSecond }));
say(`Written: ${await writeResult(`${name}.md`, `${table}\n`)}, ${name}.json and its latency plot`);
