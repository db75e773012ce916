// Orders through the whole system as `npm start` runs it: the time from POST /api/orders to the
// order's final status (read from the order itself: updated_at − created_at), and the orders per
// second the saga sustains, open-loop at a fixed arrival rate and as a burst.
import { mkdir, writeFile } from 'node:fs/promises';
import pg from 'pg';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { startSystem, type RunningSystem } from '../test/helpers/system.ts';

const ORDERS = Number(process.env.BENCH_ORDERS ?? 200);
const RATE = Number(process.env.BENCH_RATE ?? 50);
const USERS = 20;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function run(system: RunningSystem, tokens: string[], label: string, intervalMs: number) {
  const sent = Date.now();
  const answers: Promise<{ id: string; ms: number }>[] = [];
  for (let index = 0; index < ORDERS; index++) {
    const due = sent + index * intervalMs;
    if (due > Date.now()) await new Promise((resolve) => setTimeout(resolve, due - Date.now()));
    const started = performance.now();
    answers.push(
      fetch(`${system.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[index % USERS] ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 1, description: `${label} ${index}` }),
      }).then(async (answer) => ({ id: ((await answer.json()) as { id: string }).id, ms: performance.now() - started })),
    );
    if (index % 50 === 49) process.stdout.write(`  ${label}: ${index + 1} orders sent\n`);
  }
  const placed = await Promise.all(answers);
  const ids = placed.map((answer) => answer.id);

  const orders = new pg.Client({ connectionString: system.postgresUrl('orders') });
  await orders.connect();
  try {
    for (;;) {
      const { rows } = await orders.query<{ open: number }>(`select count(*)::int as open from orders where id = any($1) and status = 'NEW'`, [ids]);
      if (rows[0]?.open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    // extract() answers numeric, which arrives as text.
    const { rows } = await orders.query<{ ms: string; created: Date; updated: Date }>(
      `select extract(epoch from updated_at - created_at) * 1000 as ms, created_at as created, updated_at as updated
         from orders where id = any($1)`,
      [ids],
    );
    const toFinal = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
    const post = placed.map((answer) => answer.ms).sort((a, b) => a - b);
    const first = Math.min(...rows.map((row) => row.created.getTime()));
    const last = Math.max(...rows.map((row) => row.updated.getTime()));
    return {
      run: label,
      orders: ORDERS,
      offeredPerSecond: intervalMs === 0 ? 'burst' : Math.round(1000 / intervalMs),
      sustainedPerSecond: Math.round((ORDERS / (last - first)) * 1000),
      postP50Ms: Math.round(percentile(post, 50)),
      postP99Ms: Math.round(percentile(post, 99)),
      toFinalP50Ms: Math.round(percentile(toFinal, 50)),
      toFinalP99Ms: Math.round(percentile(toFinal, 99)),
    };
  } finally {
    await orders.end();
  }
}

const system = await startSystem();
try {
  const tokens = await Promise.all(Array.from({ length: USERS }, (_, index) => signUserToken(system.secrets.JWT_SECRET, `order-bench-${index}`)));
  for (const token of tokens) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    await fetch(`${system.gatewayUrl}/api/account`, { method: 'POST', headers });
    await fetch(`${system.gatewayUrl}/api/account/deposits`, { method: 'POST', headers, body: JSON.stringify({ amount: 1_000_000 }) });
  }
  // One order first, so the workers' start-up is not measured.
  await run(system, tokens, 'warm-up', 0).catch(() => undefined);
  const results = [await run(system, tokens, 'fixed rate', 1000 / RATE), await run(system, tokens, 'burst', 0)];
  console.table(results);
  await mkdir(new URL('results/', import.meta.url), { recursive: true });
  await writeFile(new URL('results/orders.json', import.meta.url), `${JSON.stringify({ date: new Date().toISOString(), results }, null, 2)}\n`);
} finally {
  await system.stop();
}
