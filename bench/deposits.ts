// `npm run bench`: deposits per second through the gateway (the whole system as `npm start` runs
// it, loaded over HTTP by autocannon), beside pgbench's simple-update transactions per second on
// the same PostgreSQL in the same run. Figures go to the terminal and to bench/results/.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import autocannon from 'autocannon';
import { WITHOUT_RATE_LIMITS } from '../services/gateway/config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { startSystem } from '../harness/system.ts';
import { requireAllSucceeded, requireFinite } from './checks.ts';

const USERS = 50;
const CONNECTIONS = 32;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const run = promisify(execFile);

// A load test is one address and a few users far over any sane limit: the limits are off.
const system = await startSystem({ label: 'bench-deposits', logLevel: 'warn', env: WITHOUT_RATE_LIMITS });
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
    url: system.gatewayUrl,
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
  requireFinite(results);
  console.table(results);
  await mkdir(new URL('results/', import.meta.url), { recursive: true });
  await writeFile(new URL('results/deposits.json', import.meta.url), `${JSON.stringify(results, null, 2)}\n`);
} finally {
  await system.stop();
}
