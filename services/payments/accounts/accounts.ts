import { raw, UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { HttpProblem } from '../../../lib/http/problem.ts';
import { MAX_MINOR_UNITS } from '../../../lib/money.ts';
import { Account } from './account.entity.ts';
import type { accountSchema } from './account.schemas.ts';
import { LedgerEntry } from './ledger-entry.entity.ts';

export type AccountJson = z.infer<typeof accountSchema>;

export function toAccountJson(account: Account): AccountJson {
  return { userId: account.userId, balance: account.balance, currency: account.currency };
}

/** Opens the user's account; the primary key, not a check in code, keeps it to one per user. */
export async function openAccount(em: EntityManager, userId: string, currency: string): Promise<Account> {
  const account = em.create(Account, { userId, balance: 0, currency });
  try {
    await em.flush();
  } catch (error) {
    if (error instanceof UniqueConstraintViolationException) {
      throw new HttpProblem(409, 'account-exists', 'You already have an account.');
    }
    throw error;
  }
  return account;
}

export async function findAccount(em: EntityManager, userId: string): Promise<Account> {
  const account = await em.findOne(Account, { userId });
  if (!account) throw noAccount();
  return account;
}

/**
 * Credits the account with one conditional UPDATE (never read-modify-write, so concurrent
 * deposits cannot lose one another) and records the ledger entry in the same transaction.
 */
export async function deposit(em: EntityManager, userId: string, amount: number): Promise<Account> {
  return em.transactional(async (tx) => {
    const credited = await tx.nativeUpdate(
      Account,
      { userId, balance: { $lte: MAX_MINOR_UNITS - amount } },
      { balance: raw('balance + ?', [amount]), updatedAt: new Date() },
    );
    if (credited === 0) {
      if ((await tx.count(Account, { userId })) === 0) throw noAccount();
      throw new HttpProblem(422, 'balance-limit', `A balance can hold at most ${MAX_MINOR_UNITS} minor units.`, {
        errors: [{ pointer: '#/amount', detail: 'would take the balance over its limit' }],
      });
    }
    tx.create(LedgerEntry, { account: userId, kind: 'DEPOSIT', amount });
    await tx.flush();
    return tx.findOneOrFail(Account, { userId }, { refresh: true });
  });
}

function noAccount(): HttpProblem {
  return new HttpProblem(404, 'no-account', 'You have no account yet; open one with POST /api/account.');
}
