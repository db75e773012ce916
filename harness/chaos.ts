import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { REPLAYED_HEADER } from '../lib/idempotency/idempotent.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { cachedGoTool } from '../supervisor/go-tools.ts';
import { programNamed, APP_PROGRAMS } from '../supervisor/programs.ts';
import { TEMPORAL_SERVER } from '../supervisor/temporal-cluster-tools.ts';
import { descendantRunning } from './processes.ts';
import type { RunningSystem } from './system.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface ChaosOptions {
  users: number;
  orders: number;
  /** Orders placed per second while the faults go on. */
  rate: number;
  /** Time between two faults. */
  faultEveryMs: number;
  /** Stop after every kind of fault has landed this often; without it, faults go on while orders are placed. */
  faultRounds?: number;
  say: (line: string) => void;
}

export interface ChaosTally {
  ordersAccepted: number;
  /** How many times each kind of fault landed; every kind lands at least once. */
  faults: Record<string, number>;
  /** Faults that landed once every order had been answered: they proved nothing about orders in flight. */
  faultsAfterOrders: number;
  /** Answers that were a replay of an earlier one (the first answer was dropped, or lost to a fault). */
  replayed: number;
  /** Orders in the database the client never got an answer for, or got twice for one request. */
  unknownToClient: number;
  /** Orders or debits whose amount differs from what the client asked for. */
  wrongAmounts: number;
  /** Debits for no order the client placed. */
  strayDebits: number;
  paid: number;
  cancelled: number;
  stillNew: number;
  lost: number;
  doubled: number;
  unbalancedUsers: number;
  negativeBalances: number;
  unpublishedOutbox: number;
}

/**
 * Each kind of fault, in turn: SIGKILL of each of the system's own programs (under the cluster
 * mode, of one of its two copies: the first found); PostgreSQL both gets a clean restart (its
 * wrapper's SIGTERM) and has its server killed outright, so it must recover from a crash; the
 * Temporal server is killed under its wrapper (in the cluster, one server process, then the
 * other: the one restarted last is found last).
 */
function faultsOf(cluster: boolean): { kind: string; program: string; signal: NodeJS.Signals }[] {
  const temporalServer = cluster ? cachedGoTool(TEMPORAL_SERVER) : 'temporal server start-dev';
  const faults: { program: string; signal: NodeJS.Signals }[] = [
    ...APP_PROGRAMS.map((program) => ({ program: program.entry, signal: 'SIGKILL' as const })),
    { program: programNamed('postgres').entry, signal: 'SIGTERM' },
    // The postmaster itself (its backends show as "postgres: ..."); its wrapper then exits and the supervisor restarts it.
    { program: '/bin/postgres ', signal: 'SIGKILL' },
    { program: temporalServer, signal: 'SIGKILL' },
  ];
  const kinds = faults.map((fault) => ({ ...fault, kind: `${fault.signal} ${fault.program.trim()}` }));
  // In the cluster, killing the other Temporal server is a kind of its own, so that both get killed.
  const temporal = kinds.at(-1);
  return cluster && temporal ? [...kinds, { ...temporal, kind: `${temporal.kind} (the other server)` }] : kinds;
}

/** The users of a chaos run, each with an account and a deposit. */
interface Accounts {
  users: string[];
  tokens: string[];
  deposits: Map<string, number>;
}

/** The client's own record: what it asked for (by description), which order each answer named, and how many answers were replays. */
interface ClientRecord {
  asked: Map<string, { user: string; amount: number }>;
  accepted: Map<string, string>;
  replayed: number;
}

/**
 * Orders flow for many users while every kind of process is killed in turn; then, once all is
 * quiet, the books are checked. A client retries with the same Idempotency-Key, as a real one would.
 */
export async function runChaos(system: RunningSystem, options: ChaosOptions): Promise<ChaosTally> {
  const accounts = await openAccounts(system, options.users);
  const record: ClientRecord = { asked: new Map(), accepted: new Map(), replayed: 0 };
  const load = { placing: true };
  const injector = injectFaults(system, options, () => load.placing);
  const placements: Promise<void>[] = [];
  for (let index = 0; index < options.orders; index++) {
    placements.push(placeOrder(system, accounts, record, index));
    await sleep(1000 / options.rate);
  }
  await Promise.all(placements);
  load.placing = false;
  const { faults, faultsAfterOrders } = await injector;
  options.say(`  ${record.accepted.size} orders accepted (${record.replayed} answers replayed); waiting for quiet...`);
  return { ...(await checkBooks(system, accounts, record)), faults, faultsAfterOrders };
}

async function openAccounts(system: RunningSystem, count: number): Promise<Accounts> {
  const users = Array.from({ length: count }, (_, index) => `chaos-${index}`);
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
  return { users, tokens, deposits };
}

/** Places order `index` for one of the users, retrying with the same key until it is accepted. */
async function placeOrder(system: RunningSystem, accounts: Accounts, record: ClientRecord, index: number): Promise<void> {
  const userIndex = index % accounts.users.length;
  const key = randomUUID();
  const description = `chaos ${index}`;
  const amount = 50 + (index % 7) * 10;
  record.asked.set(description, { user: accounts.users[userIndex] ?? '', amount });
  const body = JSON.stringify({ amount, description });
  // Every tenth client drops its first answer unread, as if the connection broke just after the
  // order was made: its retry must be a replay naming the same order, never a second one.
  let dropAnswer = index % 10 === 0;
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      // Under the cluster mode, the orders are spread over both gateways.
      const answer = await fetch(`${system.gatewayUrls[(index + attempt) % system.gatewayUrls.length] ?? system.gatewayUrl}/api/orders`, {
        method: 'POST',
        headers: { authorization: `Bearer ${accounts.tokens[userIndex] ?? ''}`, 'content-type': 'application/json', 'idempotency-key': key },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      if (answer.status === 202 && dropAnswer) {
        dropAnswer = false;
        await answer.arrayBuffer();
        continue;
      }
      if (answer.status === 202) {
        if (answer.headers.get(REPLAYED_HEADER) === 'true') record.replayed++;
        record.accepted.set(description, ((await answer.json()) as { id: string }).id);
        return;
      }
      await answer.arrayBuffer();
    } catch {
      // The gateway is down for a moment: retry with the same key.
    }
    await sleep(250);
  }
}

/**
 * Lands the faults in turn until every kind has landed (at least once, or `faultRounds` times) and,
 * without `faultRounds`, while orders are still placed. A kind whose process is not there (still
 * restarting) is tried again on the next turn rather than skipped. Resolves how often each landed.
 */
async function injectFaults(system: RunningSystem, options: ChaosOptions, stillPlacing: () => boolean): Promise<{ faults: Record<string, number>; faultsAfterOrders: number }> {
  const kinds = faultsOf(system.gatewayUrls.length > 1);
  const faults: Record<string, number> = Object.fromEntries(kinds.map(({ kind }) => [kind, 0]));
  const rounds = options.faultRounds ?? 1;
  const landedTooLittle = () => Object.values(faults).some((count) => count < rounds);
  let landed = 0;
  let faultsAfterOrders = 0;
  for (let turn = 0, misses = 0; options.faultRounds ? landedTooLittle() : stillPlacing() || landedTooLittle(); ) {
    await sleep(options.faultEveryMs);
    const fault = kinds[turn % kinds.length];
    if (!fault) break;
    const pid = (await descendantRunning(system.pid, fault.program))?.pid;
    if (!pid) {
      if (++misses > 30) throw new Error(`no process to fault: ${fault.program} did not come back`);
      continue;
    }
    process.kill(pid, fault.signal);
    turn++;
    misses = 0;
    faults[fault.kind] = (faults[fault.kind] ?? 0) + 1;
    if (!stillPlacing()) faultsAfterOrders++;
    options.say(`  fault ${++landed}: ${fault.kind} (pid ${pid})`);
  }
  return { faults, faultsAfterOrders };
}

/** Waits (up to three minutes) until no order is NEW and no outbox row unpublished. */
async function waitForQuiet(orders: pg.Client): Promise<void> {
  const deadline = Date.now() + 180_000;
  for (;;) {
    const { rows } = await orders.query<{ open: number; unpublished: number }>(
      `select (select count(*)::int from orders where status = 'NEW') as open,
              (select count(*)::int from outbox_messages where published_at is null) as unpublished`,
    );
    if ((rows[0]?.open === 0 && rows[0].unpublished === 0) || Date.now() > deadline) return;
    await sleep(1000);
  }
}

/** What the databases hold once all is quiet. */
interface Books {
  /** Every order the system holds for these users, told to the client or not (an answer lost to a fault). */
  held: { id: string; user_id: string; amount: string; status: string; description: string }[];
  debits: { order_id: string; debits: number; amount: string }[];
  balances: { user_id: string; balance: string; ledger: string }[];
  unpublished: number;
}

/** Once all is quiet: the databases' books against the client's own record. */
async function checkBooks(system: RunningSystem, accounts: Accounts, record: ClientRecord): Promise<Omit<ChaosTally, 'faults' | 'faultsAfterOrders'>> {
  const orders = await connectWhenUp(system.postgresUrl('orders'));
  const payments = await connectWhenUp(system.postgresUrl('payments'));
  try {
    await waitForQuiet(orders);
    return compare(await readBooks(orders, payments, accounts.users), accounts, record);
  } finally {
    await orders.end();
    await payments.end();
  }
}

async function readBooks(orders: pg.Client, payments: pg.Client, users: string[]): Promise<Books> {
  const { rows: held } = await orders.query<Books['held'][number]>('select id, user_id, amount, status, description from orders where user_id = any($1)', [users]);
  // Only this run's users and orders: the system may have served others before (a test file's
  // earlier tests share its cluster), and their money is not this run's to account for. A debit of
  // this run's users for an order not theirs, or of anyone for one of their orders, still counts.
  const { rows: debits } = await payments.query<Books['debits'][number]>(
    `select order_id, count(*)::int as debits, -sum(amount) as amount from ledger_entries
      where kind = 'DEBIT' and (user_id = any($1) or order_id = any($2::uuid[])) group by order_id`,
    [users, held.map((order) => order.id)],
  );
  const { rows: balances } = await payments.query<Books['balances'][number]>(
    `select a.user_id, a.balance, coalesce(sum(l.amount), 0) as ledger
       from accounts a left join ledger_entries l on l.user_id = a.user_id where a.user_id = any($1) group by a.user_id, a.balance`,
    [users],
  );
  const { rows: outbox } = await orders.query<{ unpublished: number }>('select count(*)::int as unpublished from outbox_messages where published_at is null');
  return { held, debits, balances, unpublished: outbox[0]?.unpublished ?? 0 };
}

/** The books against the client's record: every count of trouble, and how the orders ended. */
function compare({ held, debits, balances, unpublished }: Books, accounts: Accounts, record: ClientRecord): Omit<ChaosTally, 'faults' | 'faultsAfterOrders'> {
  const debitOf = new Map(debits.map((row) => [row.order_id, row]));
  const finals = held.filter((order) => record.accepted.get(order.description) === order.id);
  const paidByUser = new Map<string, number>();
  let doubled = 0;
  let wrongAmounts = 0;
  for (const order of held) {
    const debit = debitOf.get(order.id);
    const count = debit?.debits ?? 0;
    // Paid exactly once if PAID, never otherwise; anything else counts as doubled money.
    if (count !== (order.status === 'PAID' ? 1 : 0)) doubled++;
    // The amount the client asked for, on the order and on its debit.
    const wanted = record.asked.get(order.description);
    if (Number(order.amount) !== wanted?.amount || order.user_id !== wanted.user || (debit && Number(debit.amount) !== wanted.amount)) wrongAmounts++;
    // By the client's record, not the database's: what it asked for, for what it was told is paid.
    if (order.status === 'PAID') paidByUser.set(order.user_id, (paidByUser.get(order.user_id) ?? 0) + (wanted?.amount ?? 0));
  }
  const unbalanced = balances.filter((account) => {
    const expected = (accounts.deposits.get(account.user_id) ?? 0) - (paidByUser.get(account.user_id) ?? 0);
    return Number(account.balance) !== expected || Number(account.ledger) !== expected;
  });
  const heldIds = new Set(held.map((order) => order.id));
  const stillNew = held.filter((order) => order.status === 'NEW').length;
  return {
    ordersAccepted: record.accepted.size,
    replayed: record.replayed,
    unknownToClient: held.length - finals.length,
    wrongAmounts,
    strayDebits: debits.filter((debit) => !heldIds.has(debit.order_id)).length,
    paid: finals.filter((order) => order.status === 'PAID').length,
    cancelled: finals.filter((order) => order.status === 'CANCELLED').length,
    stillNew,
    lost: record.accepted.size - finals.length + stillNew,
    doubled,
    unbalancedUsers: unbalanced.length,
    negativeBalances: balances.filter((account) => Number(account.balance) < 0).length,
    unpublishedOutbox: unpublished,
  };
}

/** A client of a database that may still be restarting after the last fault; a fresh one per try, as a failed pg.Client cannot be reused. */
async function connectWhenUp(connectionString: string): Promise<pg.Client> {
  for (let attempt = 0; ; attempt++) {
    const client = new pg.Client({ connectionString });
    try {
      await client.connect();
      return client;
    } catch (error) {
      await client.end().catch(() => undefined);
      if (attempt > 60) throw error;
      await sleep(1000);
    }
  }
}
