// The order saga under load, measured side by side in one run on the system as `npm start` runs
// it: latency against the offered rate and where it goes, the sustained rate, both against bare
// Temporal on the same server, the gateway's own cost, and each process's CPU and memory.
import { mkdir, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import autocannon from 'autocannon';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { programRunning } from '../harness/processes.ts';
import { startSystem } from '../harness/system.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { measureBareTemporal } from './bare-temporal/measure.ts';
import { requireAllSucceeded, requireFinite } from './checks.ts';
import { latencyLegs, LEGS, type Leg } from './latency-legs.ts';
import { latencyPlot } from './latency-plot.ts';
import { placeOrders, type OrderRun } from './place-orders.ts';
import { sampleProcesses } from './process-stats.ts';

const RATES = (process.env.BENCH_RATES ?? '5,10,15,20').split(',').map(Number);
const ORDERS_PER_RATE = Number(process.env.BENCH_ORDERS ?? 100);
const BURST = Number(process.env.BENCH_BURST ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
/** How long the system rests after the load before its memory counts as "at idle". */
const IDLE_SECONDS = Number(process.env.BENCH_IDLE_SECONDS ?? 15);
const say = (line: string) => console.log(line);

// A load test is one address and a few users far over any sane limit: the limits are off.
const system = await startSystem({ label: 'bench-saga', logLevel: 'warn', env: WITHOUT_RATE_LIMITS });
try {
  const temporal = readTemporalConnection({ ...system.env, TEMPORAL_ADDRESS: system.temporalAddress });
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => signUserToken(system.secrets.JWT_SECRET, `saga-bench-${index}`)));
  for (const token of tokens) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const [path, body] of [['/api/account', undefined], ['/api/account/deposits', JSON.stringify({ amount: 1_000_000_000 })]]) {
      const answer = await fetch(`${system.gatewayUrl}${path}`, { method: 'POST', headers, body });
      if (!answer.ok) throw new Error(`POST ${path} for a bench user answered ${answer.status}: ${await answer.text()}`);
    }
  }
  say('Warming up (50 orders)...');
  await placeOrders(system, tokens, 50, 0);

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
    cpuPercentDuringBurst: Math.round(((sample.cpuSeconds - (before.find((other) => other.name === sample.name)?.cpuSeconds ?? 0)) / burst.seconds) * 100),
    rssMiB: Math.round(sample.rssMiB),
    pssMiB: Math.round(sample.pssMiB),
  }));

  say(`Bare Temporal on the same server: ${ORDERS_PER_RATE} workflows of the same shape one at a time, then a burst of ${BURST}...`);
  const bare = await measureBareTemporal(temporal, { burst: BURST, sequential: ORDERS_PER_RATE });

  say(`The gateway's cost: ${SECONDS} s of order creation through it, then ${SECONDS} s straight to the orders service...`);
  // The relay is paused meanwhile, so the saga's work on these orders does not skew either side.
  const relay = (await programRunning(system.pid, 'outbox-relay'))?.pid;
  if (relay) process.kill(relay, 'SIGSTOP');
  const create = (url: string, headers: Record<string, string>) =>
    autocannon({
      url,
      connections: 16,
      duration: SECONDS,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify({ amount: 1, description: 'gateway cost' }),
    });
  const viaGateway = await create(`${system.gatewayUrl}/api/orders`, { authorization: `Bearer ${tokens[0] ?? ''}` });
  const direct = await create(`http://127.0.0.1:${system.ports.ORDERS_PORT}/api/orders`, {
    'x-internal-token': system.secrets.INTERNAL_TOKEN,
    'x-user-id': 'saga-bench-0',
  });
  if (relay) process.kill(relay, 'SIGCONT');
  requireAllSucceeded('order creation through the gateway', viaGateway);
  requireAllSucceeded('order creation straight to the orders service', direct);
  const gateway = {
    viaGatewayPerSecond: Math.round(viaGateway.requests.average),
    directPerSecond: Math.round(direct.requests.average),
    viaGatewayP50Ms: viaGateway.latency.p50,
    directP50Ms: direct.latency.p50,
    throughputRatio: Math.round((viaGateway.requests.average / direct.requests.average) * 100) / 100,
  };

  say(`Resting ${IDLE_SECONDS} s, then the whole tree's memory at idle...`);
  await sleep(IDLE_SECONDS * 1000);
  const idle = sampleProcesses(system.pid);
  const idleMemory = {
    rssMiB: Math.round(idle.reduce((sum, sample) => sum + sample.rssMiB, 0)),
    pssMiB: Math.round(idle.reduce((sum, sample) => sum + sample.pssMiB, 0)),
  };

  const fractionOfCeiling = Math.round((burst.sustainedPerSecond / bare.ceiling.perSecond) * 100) / 100;
  const results = { date: new Date().toISOString(), runs, legs, bare, fractionOfCeiling, gateway, processes, idleMemory };
  requireFinite(results);
  console.table(runs);
  console.table(legs);
  console.table(processes);
  console.log({ bare, ourBurstPerSecond: burst.sustainedPerSecond, fractionOfCeiling, gateway, idleMemory });

  const table = [
    '| offered/s | sustained/s | POST p50 | POST p95 | POST p99 | to final p50 | to final p95 | to final p99 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((run) => `| ${run.offeredPerSecond} | ${run.sustainedPerSecond} | ${run.postP50Ms} ms | ${run.postP95Ms} ms | ${run.postP99Ms} ms | ${run.toFinalP50Ms} ms | ${run.toFinalP95Ms} ms | ${run.toFinalP99Ms} ms |`),
    '',
    `Bare Temporal (same workflow shape, no-op activities on two task queues, same server): ${bare.ceiling.perSecond} workflows/s in a burst; one at a time p50 ${bare.latency.p50Ms} ms, p99 ${bare.latency.p99Ms} ms. Our burst: ${burst.sustainedPerSecond} orders/s = ${fractionOfCeiling} of the ceiling.`,
    '',
    `Where an order's time goes at ${RATES[0]}/s (from the order's row and its workflow's history):`,
    '',
    '| leg | p50 | p99 |',
    '| --- | --- | --- |',
    ...Object.entries(LEGS).map(([leg, text]) => `| ${text} | ${legs?.[leg as Leg].p50Ms} ms | ${legs?.[leg as Leg].p99Ms} ms |`),
    '',
    `Gateway cost (order creation, 16 connections, ${SECONDS} s each): ${gateway.viaGatewayPerSecond}/s through the gateway vs ${gateway.directPerSecond}/s straight to the orders service (ratio ${gateway.throughputRatio}); p50 ${gateway.viaGatewayP50Ms} ms vs ${gateway.directP50Ms} ms.`,
    '',
    '| process | CPU % during the burst | RSS MiB after the burst | PSS MiB after the burst |',
    '| --- | --- | --- | --- |',
    ...processes.map((sample) => `| ${sample.process} | ${sample.cpuPercentDuringBurst} | ${sample.rssMiB} | ${sample.pssMiB} |`),
    '',
    `The whole tree at idle, ${IDLE_SECONDS} s after the load: ${idleMemory.pssMiB} MiB PSS (${idleMemory.rssMiB} MiB summed RSS, which counts shared pages once per process).`,
    '',
    '![latency against offered rate](latency-vs-rate.svg)',
  ].join('\n');
  const resultsFolder = new URL('results/', import.meta.url);
  await mkdir(resultsFolder, { recursive: true });
  await writeFile(new URL('saga.json', resultsFolder), `${JSON.stringify(results, null, 2)}\n`);
  await writeFile(new URL('saga.md', resultsFolder), `${table}\n`);
  await writeFile(new URL('latency-vs-rate.svg', resultsFolder), await latencyPlot(runs, { latencyP50Ms: bare.latency.p50Ms, ceilingPerSecond: bare.ceiling.perSecond }));
  say(`Written: bench/results/saga.json, saga.md, latency-vs-rate.svg`);
} finally {
  await system.stop();
}
