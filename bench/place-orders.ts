import pg from 'pg';
import type { RunningSystem } from '../harness/system.ts';

export interface OrderRun {
  orders: number;
  offeredPerSecond: number | 'burst';
  sustainedPerSecond: number;
  postP50Ms: number;
  postP95Ms: number;
  postP99Ms: number;
  toFinalP50Ms: number;
  toFinalP95Ms: number;
  toFinalP99Ms: number;
  seconds: number;
}

const percentile = (sorted: number[], p: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Places orders open-loop (a fixed arrival rate, whatever the answers do; 0 = all at once) and
 * waits until all are final. Time to final is the order's own updated_at − created_at.
 */
export async function placeOrders(system: RunningSystem, tokens: string[], count: number, rate: number): Promise<OrderRun> {
  const started = Date.now();
  const answers: Promise<{ id: string; ms: number }>[] = [];
  for (let index = 0; index < count; index++) {
    if (rate > 0) {
      const due = started + (index * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    const sent = performance.now();
    answers.push(
      fetch(`${system.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens[index % tokens.length] ?? ''}`, 'content-type': 'application/json' },
        body: JSON.stringify({ amount: 1, description: `bench ${index}` }),
      }).then(async (answer) => ({ id: ((await answer.json()) as { id: string }).id, ms: performance.now() - sent })),
    );
  }
  const placed = await Promise.all(answers);
  const ids = placed.map((answer) => answer.id);
  const orders = new pg.Client({ connectionString: system.postgresUrl('orders') });
  await orders.connect();
  try {
    for (;;) {
      const { rows } = await orders.query<{ open: number }>(`select count(*)::int as open from orders where id = any($1) and status = 'NEW'`, [ids]);
      if (rows[0]?.open === 0) break;
      await sleep(200);
    }
    // extract() answers numeric, which arrives as text.
    const { rows } = await orders.query<{ ms: string; created: Date; updated: Date }>(
      `select extract(epoch from updated_at - created_at) * 1000 as ms, created_at as created, updated_at as updated from orders where id = any($1)`,
      [ids],
    );
    const toFinal = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
    const post = placed.map((answer) => answer.ms).sort((a, b) => a - b);
    const first = Math.min(...rows.map((row) => row.created.getTime()));
    const last = Math.max(...rows.map((row) => row.updated.getTime()));
    return {
      orders: count,
      offeredPerSecond: rate > 0 ? rate : 'burst',
      sustainedPerSecond: Math.round((count / (last - first)) * 10_000) / 10,
      postP50Ms: percentile(post, 50),
      postP95Ms: percentile(post, 95),
      postP99Ms: percentile(post, 99),
      toFinalP50Ms: percentile(toFinal, 50),
      toFinalP95Ms: percentile(toFinal, 95),
      toFinalP99Ms: percentile(toFinal, 99),
      seconds: Math.round((last - first) / 100) / 10,
    };
  } finally {
    await orders.end();
  }
}
