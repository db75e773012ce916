// Payments guarantees checked straight against PostgreSQL, each one found unchecked by the mutation
// run (npm run mutation): the debit's every outcome, its redeliveries, the void, the deposit's limit.
import { randomUUID } from 'node:crypto';
import type { Orm } from '../lib/database/open-database.ts';
import { MAX_MINOR_UNITS } from '../lib/money.ts';
import { SagaConflict } from '../lib/saga-conflict.ts';
import { deposit } from '../services/payments/accounts/accounts.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { debit, voidDebit, type DebitMessage } from '../services/payments/inbox/debit.ts';
import { readBooks } from './helpers/books.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';

let orm: Orm;
beforeAll(async () => {
  orm = await openPaymentsDatabase(freshDatabaseUrl('payments_outcomes'), 2);
});
afterAll(() => orm.close());

async function openAccount(userId: string, balance: number, currency = 'USD'): Promise<void> {
  await orm.em.fork().execute(
    `insert into accounts (user_id, balance, currency, created_at, updated_at) values (?, 0, ?, now(), now())`,
    [userId, currency],
  );
  if (balance > 0) await deposit(orm.em.fork(), userId, balance);
}

function debitOf(userId: string, amount: number, currency = 'USD'): DebitMessage {
  const orderId = randomUUID();
  return { messageId: `debit:${orderId}`, orderId, userId, amount, currency };
}

async function inboxRow(messageId: string): Promise<{ outcome: string | null } | undefined> {
  const [row] = await orm.em.fork().execute<{ outcome: string | null }[]>('select outcome from inbox_messages where message_id = ?', [messageId]);
  return row;
}

describe('a debit has exactly one outcome, stored with its inbox row', () => {
  test('enough money: PAID, the balance drops by the amount, one DEBIT entry for the order', async () => {
    await openAccount('pia', 100);
    const message = debitOf('pia', 100);
    expect(await debit(orm.em.fork(), message)).toBe('PAID');
    expect(await readBooks(orm, 'pia')).toEqual({ balance: 0, ledgerTotal: 0, ledgerEntries: 2 });
    const entries = await orm.em.fork().execute<{ kind: string; amount: string }[]>('select kind, amount from ledger_entries where order_id = ?', [message.orderId]);
    expect(entries.map(({ kind, amount }) => [kind, Number(amount)])).toEqual([['DEBIT', -100]]);
    expect(await inboxRow(message.messageId)).toEqual({ outcome: 'PAID' });
  });

  test.each([
    ['one cent too little', 'quirin', 99, 'USD', 'INSUFFICIENT_FUNDS'],
    ['an account in another currency, however full', 'rosa', 1_000, 'EUR', 'CURRENCY_MISMATCH'],
  ] as const)('%s: %s is not debited and the outcome says why', async (_name, userId, balance, currency, outcome) => {
    await openAccount(userId, balance, currency);
    const message = debitOf(userId, 100);
    expect(await debit(orm.em.fork(), message)).toBe(outcome);
    expect(await readBooks(orm, userId)).toEqual({ balance, ledgerTotal: balance, ledgerEntries: 1 });
    expect(await inboxRow(message.messageId)).toEqual({ outcome });
  });

  test('no account: NO_ACCOUNT, and nothing is written but the inbox row', async () => {
    const message = debitOf('sven', 5);
    expect(await debit(orm.em.fork(), message)).toBe('NO_ACCOUNT');
    expect(await readBooks(orm, 'sven')).toEqual({ balance: undefined, ledgerTotal: 0, ledgerEntries: 0 });
    expect(await inboxRow(message.messageId)).toEqual({ outcome: 'NO_ACCOUNT' });
  });
});

describe('a redelivered debit answers its first outcome and debits nothing more', () => {
  test('the same message again: the first outcome, the balance debited once', async () => {
    await openAccount('tove', 300);
    const message = debitOf('tove', 100);
    expect(await debit(orm.em.fork(), message)).toBe('PAID');
    // Drained meanwhile: a second debit would now find too little and say so.
    await orm.em.fork().execute(`update accounts set balance = 50 where user_id = 'tove'`);
    expect(await debit(orm.em.fork(), message)).toBe('PAID');
    expect(await voidDebit(orm.em.fork(), message)).toBe('PAID');
    const [debits] = await orm.em.fork().execute<{ count: string }[]>(`select count(*) from ledger_entries where order_id = ?`, [message.orderId]);
    expect(Number(debits?.count)).toBe(1);
  });

  test.each([
    ['another user', { userId: 'mallory' }],
    ['another amount', { amount: 101 }],
    ['another currency', { currency: 'EUR' }],
  ])('the same message id with %s is a conflict, not an outcome', async (_name, change) => {
    await openAccount(`ulf-${Object.keys(change)[0]}`, 300);
    const message = debitOf(`ulf-${Object.keys(change)[0]}`, 100);
    expect(await debit(orm.em.fork(), message)).toBe('PAID');
    const again = { ...message, ...change };
    await expect(debit(orm.em.fork(), again)).rejects.toThrow(SagaConflict);
    // What the payment workflow reports to an operator: both requests, side by side.
    await expect(debit(orm.em.fork(), again)).rejects.toMatchObject({
      kind: 'MISMATCHED_REDELIVERY',
      message: `debit ${message.messageId} was delivered again with another user, amount or currency`,
      details: {
        messageId: message.messageId,
        first: { userId: message.userId, amount: message.amount, currency: message.currency },
        again: { userId: again.userId, amount: again.amount, currency: again.currency },
      },
    });
    await expect(voidDebit(orm.em.fork(), again)).rejects.toThrow(SagaConflict);
  });

  test('a row from before the inbox kept user, amount and currency is answered as it stands', async () => {
    const message = debitOf('vera', 10);
    await orm.em.fork().execute(`insert into inbox_messages (message_id, outcome, received_at) values (?, 'PAID', now())`, [message.messageId]);
    expect(await debit(orm.em.fork(), message)).toBe('PAID');
  });
});

describe('a void gives up on a debit for good', () => {
  test('a void before any delivery: VOID, and a later delivery debits nothing', async () => {
    await openAccount('wim', 100);
    const message = debitOf('wim', 10);
    expect(await voidDebit(orm.em.fork(), message)).toBe('VOID');
    expect(await inboxRow(message.messageId)).toEqual({ outcome: 'VOID' });
    expect(await debit(orm.em.fork(), message)).toBe('VOID');
    expect((await readBooks(orm, 'wim')).balance).toBe(100);
  });
});

describe('a deposit', () => {
  test('answers the new balance and currency, and writes its DEPOSIT entry in the same statement', async () => {
    await openAccount('xena', 0, 'EUR');
    expect(await deposit(orm.em.fork(), 'xena', 40)).toEqual({ userId: 'xena', balance: 40, currency: 'EUR' });
    expect(await deposit(orm.em.fork(), 'xena', 2)).toEqual({ userId: 'xena', balance: 42, currency: 'EUR' });
    const entries = await orm.em.fork().execute<{ kind: string; amount: string }[]>('select kind, amount from ledger_entries where user_id = ? order by id', ['xena']);
    expect(entries.map(({ kind, amount }) => [kind, Number(amount)])).toEqual([['DEPOSIT', 40], ['DEPOSIT', 2]]);
  });

  test('may fill the balance up to its limit exactly, and not one minor unit more', async () => {
    await openAccount('yuri', 0);
    expect((await deposit(orm.em.fork(), 'yuri', MAX_MINOR_UNITS - 1)).balance).toBe(MAX_MINOR_UNITS - 1);
    await expect(deposit(orm.em.fork(), 'yuri', 2)).rejects.toMatchObject({
      status: 422,
      type: '/problems/balance-limit',
      message: `A balance can hold at most ${MAX_MINOR_UNITS} minor units.`,
      errors: [{ pointer: '#/amount', detail: 'would take the balance over its limit' }],
    });
    expect((await deposit(orm.em.fork(), 'yuri', 1)).balance).toBe(MAX_MINOR_UNITS);
    expect(await readBooks(orm, 'yuri')).toEqual({ balance: MAX_MINOR_UNITS, ledgerTotal: MAX_MINOR_UNITS, ledgerEntries: 2 });
  });

  test('to no account answers 404 and writes nothing', async () => {
    await expect(deposit(orm.em.fork(), 'zoe', 5)).rejects.toMatchObject({
      status: 404,
      type: '/problems/no-account',
      message: 'You have no account yet; open one with POST /api/account.',
    });
    expect(await readBooks(orm, 'zoe')).toEqual({ balance: undefined, ledgerTotal: 0, ledgerEntries: 0 });
  });
});
