// `npm run bench`: deposits per second through the gateway (the whole system as `npm start` runs
// it, or with BENCH_CLUSTER=1 as `npm run start:cluster` does, loaded over HTTP by autocannon),
// beside pgbench's simple-update transactions per second on the same PostgreSQL in the same run.
// Figures go to the terminal and to bench/results/<mode>/.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { requireAllSucceeded, requireSaneFigures } from './checks.ts';
import { startBenchSystem, writeFigures } from './mode.ts';

const USERS = 50;
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const run = promisify(execFile);

const system = await startBenchSystem('bench-deposits');
try {
  const tokens = await Promise.all(
    Array.from({ length: USERS }, (_, index) => signUserToken(system.secrets.JWT_SECRET, `bench-user-${index}`)),
  );
  for (const token of tokens) {
    const answer = await fetch(`${system.gatewayUrl}/api/account`, { method: 'POST', headers: { authorization: `Bearer ${token}` } });
    if (!answer.ok) throw new Error(`opening a bench account answered ${answer.status}: ${await answer.text()}`);
  }

  console.log(`Deposits through the gateway: ${CONNECTIONS} connections, ${SECONDS} s, ${USERS} accounts...`);
  let next = 0;
  const load = await autocannon({
    // Under the cluster mode, both gateways; autocannon takes a list of URLs, which its types do not say.
    url: system.gatewayUrls as unknown as string,
    connections: CONNECTIONS,
    duration: SECONDS,
    requests: [
      {
        method: 'POST',
        path: '/api/account/deposits',
        setupRequest: (request) => ({
          ...request,
          headers: { 'content-type': 'application/json', authorization: `Bearer ${tokens[next++ % USERS] ?? ''}` },
          body: JSON.stringify({ amount: 100 }),
        }),
      },
    ],
  });
  requireAllSucceeded('deposits through the gateway', load);

  console.log(`pgbench simple-update on the same PostgreSQL: ${CONNECTIONS} clients, ${SECONDS} s...`);
  const pgbenchUrl = system.postgresUrl('postgres');
  await run('pgbench', ['-i', '-q', '-s', '10', pgbenchUrl]);
  const { stdout } = await run('pgbench', ['-b', 'simple-update', '-c', String(CONNECTIONS), '-j', '2', '-T', String(SECONDS), pgbenchUrl]);
  const pgbenchTps = Number(/tps = ([\d.]+)/.exec(stdout)?.[1]);

  const results = {
    date: new Date().toISOString(),
    depositsPerSecond: Math.round(load.requests.average),
    latencyMs: { p50: load.latency.p50, p99: load.latency.p99 },
    pgbenchSimpleUpdateTps: Math.round(pgbenchTps),
    ratio: Number((load.requests.average / pgbenchTps).toFixed(3)),
  };
  requireSaneFigures(results);
  console.table(results);
  console.log(`Written: ${await writeFigures('deposits', results)}`);
} finally {
  await system.stop();
}
