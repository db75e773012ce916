import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { signUserToken } from '../../services/gateway/sign-token.ts';
import { childRunning } from './processes.ts';
import type { RunningSystem } from './system.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ChaosOptions {
  users: number;
  orders: number;
  /** Orders placed per second while the faults go on. */
  rate: number;
  /** Time between two faults. */
  faultEveryMs: number;
  say: (line: string) => void;
}

export interface ChaosTally {
  ordersAccepted: number;
  faults: string[];
  paid: number;
  cancelled: number;
  stillNew: number;
  lost: number;
  doubled: number;
  unbalancedUsers: number;
  negativeBalances: number;
  unpublishedOutbox: number;
}

/** Each kind of process, in turn: SIGKILL, but PostgreSQL gets a clean restart (its wrapper's SIGTERM). */
const FAULTS: { program: string; signal: NodeJS.Signals }[] = [
  { program: 'workers/outbox-relay.ts', signal: 'SIGKILL' },
  { program: 'workers/payments-worker.ts', signal: 'SIGKILL' },
  { program: 'services/orders/main.ts', signal: 'SIGKILL' },
  { program: 'workers/orders-worker.ts', signal: 'SIGKILL' },
  { program: 'services/payments/main.ts', signal: 'SIGKILL' },
  { program: 'services/gateway/main.ts', signal: 'SIGKILL' },
  { program: 'supervisor/postgres.ts', signal: 'SIGTERM' },
  // The dev server runs under a Node wrapper; the supervisor kills the wrapper's whole process group when it dies.
  { program: 'supervisor/temporal-dev-server.ts', signal: 'SIGKILL' },
];

/**
 * Orders flow for many users while every kind of process is killed in turn; then, once all is
 * quiet, the books are checked. A client retries with the same Idempotency-Key, as a real one would.
 */
export async function runChaos(system: RunningSystem, options: ChaosOptions): Promise<ChaosTally> {
  const users = Array.from({ length: options.users }, (_, index) => `chaos-${index}`);
  const tokens = await Promise.all(users.map((user) => signUserToken(system.secrets.JWT_SECRET, user)));
  const deposits = new Map<string, number>();
  for (const [index, user] of users.entries()) {
    const headers = { authorization: `Bearer ${tokens[index] ?? ''}`, 'content-type': 'application/json' };
    await fetch(`${system.gatewayUrl}/api/account`, { method: 'POST', headers });
    // Some users can afford all their orders, some only part of them.
    const amount = index % 3 === 0 ? 500 : 100_000;
    await fetch(`${system.gatewayUrl}/api/account/deposits`, { method: 'POST', headers, body: JSON.stringify({ amount }) });
    deposits.set(user, amount);
  }

  const accepted: string[] = [];
  const place = async (index: number) => {
    const userIndex = index % options.users;
    const key = randomUUID();
    const body = JSON.stringify({ amount: 50 + (index % 7) * 10, description: `chaos ${index}` });
    for (let attempt = 0; attempt < 200; attempt++) {
      try {
        const answer = await fetch(`${system.gatewayUrl}/api/orders`, {
          method: 'POST',
          headers: { authorization: `Bearer ${tokens[userIndex] ?? ''}`, 'content-type': 'application/json', 'idempotency-key': key },
          body,
          signal: AbortSignal.timeout(10_000),
        });
        if (answer.status === 202) {
          accepted.push(((await answer.json()) as { id: string }).id);
          return;
        }
        await answer.arrayBuffer();
      } catch {
        // The gateway is down for a moment: retry with the same key.
      }
      await sleep(250);
    }
  };

  const faults: string[] = [];
  const load = { placing: true };
  const stillPlacing = () => load.placing;
  const injector = (async () => {
    for (let turn = 0; ; turn++) {
      await sleep(options.faultEveryMs);
      if (!stillPlacing()) break;
      const fault = FAULTS[turn % FAULTS.length];
      if (!fault) continue;
      const pid = (await childRunning(system.pid, fault.program))?.pid;
      if (!pid) continue;
      process.kill(pid, fault.signal);
      faults.push(`${fault.signal} ${fault.program}`);
      options.say(`  fault ${faults.length}: ${fault.signal} ${fault.program} (pid ${pid})`);
    }
  })();

  const placements: Promise<void>[] = [];
  for (let index = 0; index < options.orders; index++) {
    placements.push(place(index));
    await sleep(1000 / options.rate);
  }
  await Promise.all(placements);
  load.placing = false;
  await injector;
  options.say(`  ${accepted.length} orders accepted; waiting for quiet...`);

  const orders = new pg.Client({ connectionString: system.postgresUrl('orders') });
  const payments = new pg.Client({ connectionString: system.postgresUrl('payments') });
  for (let attempt = 0; ; attempt++) {
    try {
      await orders.connect();
      await payments.connect();
      break;
    } catch (error) {
      if (attempt > 60) throw error;
      await sleep(1000);
    }
  }
  try {
    const deadline = Date.now() + 180_000;
    for (;;) {
      const { rows } = await orders.query<{ open: number; unpublished: number }>(
        `select (select count(*)::int from orders where status = 'NEW') as open,
                (select count(*)::int from outbox_messages where published_at is null) as unpublished`,
      );
      if ((rows[0]?.open === 0 && rows[0].unpublished === 0) || Date.now() > deadline) break;
      await sleep(1000);
    }
    const { rows: finals } = await orders.query<{ id: string; user_id: string; amount: string; status: string }>(
      'select id, user_id, amount, status from orders where id = any($1)',
      [accepted],
    );
    const { rows: debits } = await payments.query<{ order_id: string; debits: number }>(
      `select order_id, count(*)::int as debits from ledger_entries where kind = 'DEBIT' group by order_id`,
    );
    const { rows: accounts } = await payments.query<{ user_id: string; balance: string; ledger: string }>(
      `select a.user_id, a.balance, coalesce(sum(l.amount), 0) as ledger
         from accounts a left join ledger_entries l on l.user_id = a.user_id group by a.user_id, a.balance`,
    );
    const { rows: outbox } = await orders.query<{ unpublished: number }>('select count(*)::int as unpublished from outbox_messages where published_at is null');

    const debitsOf = new Map(debits.map((row) => [row.order_id, row.debits]));
    const paidByUser = new Map<string, number>();
    let doubled = 0;
    for (const order of finals) {
      const count = debitsOf.get(order.id) ?? 0;
      // Paid exactly once if PAID, never if CANCELLED; anything else counts as doubled money.
      if ((order.status === 'PAID' && count !== 1) || (order.status === 'CANCELLED' && count !== 0)) doubled++;
      if (order.status === 'PAID') paidByUser.set(order.user_id, (paidByUser.get(order.user_id) ?? 0) + Number(order.amount));
    }
    const unbalanced = accounts.filter((account) => {
      const expected = (deposits.get(account.user_id) ?? 0) - (paidByUser.get(account.user_id) ?? 0);
      return Number(account.balance) !== expected || Number(account.ledger) !== expected;
    });
    const stillNew = finals.filter((order) => order.status === 'NEW').length;
    return {
      ordersAccepted: accepted.length,
      faults,
      paid: finals.filter((order) => order.status === 'PAID').length,
      cancelled: finals.filter((order) => order.status === 'CANCELLED').length,
      stillNew,
      lost: accepted.length - finals.length + stillNew,
      doubled,
      unbalancedUsers: unbalanced.length,
      negativeBalances: accounts.filter((account) => Number(account.balance) < 0).length,
      unpublishedOutbox: outbox[0]?.unpublished ?? 0,
    };
  } finally {
    await orders.end();
    await payments.end();
  }
}
