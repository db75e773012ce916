import pg from 'pg';
import type { RunningSystem } from '../harness/system.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { percentile } from './percentile.ts';

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

/** Orders placed, all at once, before anything is measured: the first orders pay for cold caches and connections. */
export const WARM_UP_ORDERS = 50;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
// Every order is funded, so each is paid within seconds of its turn: a backlog of thousands takes
// minutes, but minutes in which no order leaves NEW mean a stuck system.
const STALLED_AFTER_MS = 2 * 60_000;

/** Users of the bench, each with an account funded far beyond any number of its orders: their tokens. */
async function fundedBenchUsers(system: RunningSystem, count: number): Promise<string[]> {
  const tokens = await Promise.all(Array.from({ length: count }, (_, index) => signUserToken(system.secrets.JWT_SECRET, `saga-bench-${index}`)));
  for (const token of tokens) {
    const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
    for (const [path, body] of [['/api/account', undefined], ['/api/account/deposits', JSON.stringify({ amount: 1_000_000_000 })]]) {
      const answer = await fetch(`${system.gatewayUrl}${path}`, { method: 'POST', headers, body });
      if (!answer.ok) throw new Error(`POST ${path} for a bench user answered ${answer.status}: ${await answer.text()}`);
    }
  }
  return tokens;
}

/** Users of the bench, funded, once WARM_UP_ORDERS orders of theirs are final: their tokens, ready to measure with. */
export async function warmedUpBenchUsers(system: RunningSystem, count: number): Promise<string[]> {
  const tokens = await fundedBenchUsers(system, count);
  await placeOrders(system, tokens, WARM_UP_ORDERS, 0);
  return tokens;
}

/**
 * Waits until none of the orders `ids` in the orders database at `ordersUrl` is still NEW. Throws
 * once none of them has left NEW for STALLED_AFTER_MS.
 */
export async function untilNoOrderNew(ordersUrl: string, ids: string[]): Promise<void> {
  const orders = new pg.Client({ connectionString: ordersUrl });
  await orders.connect();
  try {
    for (let fewest = Number.POSITIVE_INFINITY, fellAt = Date.now(); ; await sleep(200)) {
      const { rows } = await orders.query<{ open: number }>(`select count(*)::int as open from orders where status = 'NEW' and id = any($1)`, [ids]);
      const open = rows[0]?.open ?? Number.NaN;
      if (open === 0) return;
      if (open < fewest) [fewest, fellAt] = [open, Date.now()];
      else if (Date.now() - fellAt > STALLED_AFTER_MS) throw new Error(`${open} orders are still NEW, and none has left NEW for ${STALLED_AFTER_MS / 1000} s: the saga is stuck`);
    }
  } finally {
    await orders.end();
  }
}

async function placeOne(system: RunningSystem, token: string, index: number): Promise<{ id: string; ms: number }> {
  const sent = performance.now();
  // Under the cluster mode, over both gateways in turn.
  const answer = await fetch(`${system.gatewayUrls[index % system.gatewayUrls.length] ?? system.gatewayUrl}/api/orders`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ amount: 1, description: `bench ${index}` }),
  });
  const ms = performance.now() - sent;
  const body = await answer.text();
  if (answer.status !== 202) throw new Error(`placing bench order ${index} answered ${answer.status}: ${body.slice(0, 300)}`);
  return { id: (JSON.parse(body) as { id: string }).id, ms };
}

/**
 * Places orders open-loop (a fixed arrival rate, whatever the answers do; 0 = all at once) and
 * waits until all are final. Time to final is the order's own updated_at − created_at.
 */
export async function placeOrders(system: RunningSystem, tokens: string[], count: number, rate: number): Promise<{ run: OrderRun; ids: string[] }> {
  const started = Date.now();
  const answers: Promise<{ id: string; ms: number }>[] = [];
  for (let index = 0; index < count; index++) {
    if (rate > 0) {
      const due = started + (index * 1000) / rate;
      if (due > Date.now()) await sleep(due - Date.now());
    }
    answers.push(placeOne(system, tokens[index % tokens.length] ?? '', index));
  }
  const placed = await Promise.all(answers);
  const ids = placed.map((answer) => answer.id);
  await untilNoOrderNew(system.postgresUrl('orders'), ids);
  const orders = new pg.Client({ connectionString: system.postgresUrl('orders') });
  await orders.connect();
  try {
    const { rows: unpaid } = await orders.query<{ status: string; reason: string | null }>(
      `select status, failure_reason as reason from orders where id = any($1) and status <> 'PAID' limit 1`,
      [ids],
    );
    if (unpaid[0]) throw new Error(`a funded bench order ended ${unpaid[0].status} (${unpaid[0].reason}): the saga failed under load`);
    // extract() answers numeric, which arrives as text.
    const { rows } = await orders.query<{ ms: string; created: Date; updated: Date }>(
      `select extract(epoch from updated_at - created_at) * 1000 as ms, created_at as created, updated_at as updated from orders where id = any($1)`,
      [ids],
    );
    const toFinal = rows.map((row) => Number(row.ms)).sort((a, b) => a - b);
    const post = placed.map((answer) => answer.ms).sort((a, b) => a - b);
    const first = Math.min(...rows.map((row) => row.created.getTime()));
    const last = Math.max(...rows.map((row) => row.updated.getTime()));
    const run: OrderRun = {
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
    return { run, ids };
  } finally {
    await orders.end();
  }
}
