// The order saga under load, measured side by side in one run on the system as `npm start` runs
// it: latency against the offered rate, the sustained rate, our throughput as a fraction of the
// bare-Temporal ceiling on the same server, the gateway's own cost, and each process's CPU and memory.
import { mkdir, writeFile } from 'node:fs/promises';
import autocannon from 'autocannon';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { programRunning } from '../harness/processes.ts';
import { startSystem } from '../harness/system.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { measureCeiling } from './ceiling/run-ceiling.ts';
import { latencyPlot } from './latency-plot.ts';
import { placeOrders, type OrderRun } from './place-orders.ts';
import { sampleProcesses } from './process-stats.ts';

const RATES = (process.env.BENCH_RATES ?? '5,10,15,20').split(',').map(Number);
const ORDERS_PER_RATE = Number(process.env.BENCH_ORDERS ?? 100);
const BURST = Number(process.env.BENCH_BURST ?? 200);
const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const say = (line: string) => console.log(line);

// A load test is one address and a few users far over any sane limit: the limits are off.
const system = await startSystem({ label: 'bench-saga', logLevel: 'warn', env: WITHOUT_RATE_LIMITS });
try {
  const tokens = await Promise.all(Array.from({ length: 20 }, (_, index) => signUserToken(system.secrets.JWT_SECRET, `saga-bench-${index}`)));
  for (const token of tokens) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${system.gatewayUrl}/api/account`, { method: 'POST', headers });
    await fetch(`${system.gatewayUrl}/api/account/deposits`, { method: 'POST', headers, body: JSON.stringify({ amount: 1_000_000_000 }) });
  }
  say('Warming up (50 orders)...');
  await placeOrders(system, tokens, 50, 0);

  const runs: OrderRun[] = [];
  for (const rate of RATES) {
    say(`Orders at ${rate}/s (${ORDERS_PER_RATE})...`);
    runs.push(await placeOrders(system, tokens, ORDERS_PER_RATE, rate));
  }
  say(`A burst of ${BURST} orders...`);
  const before = sampleProcesses(system.pid);
  const burst = await placeOrders(system, tokens, BURST, 0);
  const after = sampleProcesses(system.pid);
  runs.push(burst);
  const processes = after.map((sample) => ({
    process: sample.name,
    cpuPercentDuringBurst: Math.round(((sample.cpuSeconds - (before.find((other) => other.name === sample.name)?.cpuSeconds ?? 0)) / burst.seconds) * 100),
    rssMiB: Math.round(sample.rssMiB),
  }));

  say(`The bare-Temporal ceiling: ${BURST} no-op workflows of the same shape...`);
  const ceiling = await measureCeiling(readTemporalConnection({ ...system.env, TEMPORAL_ADDRESS: system.temporalAddress }), BURST);

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
  const gateway = {
    viaGatewayPerSecond: Math.round(viaGateway.requests.average),
    directPerSecond: Math.round(direct.requests.average),
    viaGatewayP50Ms: viaGateway.latency.p50,
    directP50Ms: direct.latency.p50,
    throughputRatio: Math.round((viaGateway.requests.average / direct.requests.average) * 100) / 100,
    non2xx: viaGateway.non2xx + direct.non2xx,
  };

  const fractionOfCeiling = Math.round((burst.sustainedPerSecond / ceiling.perSecond) * 100) / 100;
  console.table(runs);
  console.table(processes);
  console.log({ ceiling, ourBurstPerSecond: burst.sustainedPerSecond, fractionOfCeiling, gateway });

  const table = [
    '| offered/s | sustained/s | POST p50 | POST p95 | POST p99 | to final p50 | to final p95 | to final p99 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- |',
    ...runs.map((run) => `| ${run.offeredPerSecond} | ${run.sustainedPerSecond} | ${run.postP50Ms} ms | ${run.postP95Ms} ms | ${run.postP99Ms} ms | ${run.toFinalP50Ms} ms | ${run.toFinalP95Ms} ms | ${run.toFinalP99Ms} ms |`),
    '',
    `Bare-Temporal ceiling (same workflow shape, no-op activities, same server): ${ceiling.perSecond} workflows/s; our burst: ${burst.sustainedPerSecond} orders/s = ${fractionOfCeiling} of it.`,
    '',
    `Gateway cost (order creation, 16 connections, ${SECONDS} s each): ${gateway.viaGatewayPerSecond}/s through the gateway vs ${gateway.directPerSecond}/s straight to the orders service (ratio ${gateway.throughputRatio}); p50 ${gateway.viaGatewayP50Ms} ms vs ${gateway.directP50Ms} ms.`,
    '',
    '| process | CPU % during the burst | RSS MiB |',
    '| --- | --- | --- |',
    ...processes.map((sample) => `| ${sample.process} | ${sample.cpuPercentDuringBurst} | ${sample.rssMiB} |`),
    '',
    '![latency against offered rate](latency-vs-rate.svg)',
  ].join('\n');
  const results = new URL('results/', import.meta.url);
  await mkdir(results, { recursive: true });
  await writeFile(new URL('saga.json', results), `${JSON.stringify({ date: new Date().toISOString(), runs, ceiling, fractionOfCeiling, gateway, processes }, null, 2)}\n`);
  await writeFile(new URL('saga.md', results), `${table}\n`);
  await writeFile(new URL('latency-vs-rate.svg', results), latencyPlot(runs));
  say(`Written: bench/results/saga.json, saga.md, latency-vs-rate.svg`);
} finally {
  await system.stop();
}
