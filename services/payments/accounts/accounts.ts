import { UniqueConstraintViolationException, type EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { HttpProblem } from '../../../lib/http/problem.ts';
import { MAX_MINOR_UNITS } from '../../../lib/money.ts';
import { Account } from './account.entity.ts';
import type { LedgerEntryKind } from './ledger-entry.entity.ts';
import type { accountSchema } from './account.schemas.ts';

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
 * Credits the account and writes its ledger entry in one statement (a data-modifying CTE is
 * atomic): a conditional `balance = balance + amount`, never read-modify-write, so concurrent
 * deposits cannot lose one another, and one round trip to the database.
 */
export async function deposit(em: EntityManager, userId: string, amount: number): Promise<AccountJson> {
  const [credited] = await em.execute<{ user_id: string; balance: string; currency: string }[]>(
    `with credited as (
       update accounts set balance = balance + ?, updated_at = now()
        where user_id = ? and balance <= ?
        returning user_id, balance, currency
     ), entry as (
       insert into ledger_entries (user_id, kind, amount, created_at)
       select user_id, ?, ?, now() from credited
     )
     select user_id, balance, currency from credited`,
    [amount, userId, MAX_MINOR_UNITS - amount, 'DEPOSIT' satisfies LedgerEntryKind, amount],
  );
  if (credited) return { userId: credited.user_id, balance: Number(credited.balance), currency: credited.currency };
  if ((await em.count(Account, { userId })) === 0) throw noAccount();
  throw new HttpProblem(422, 'balance-limit', `A balance can hold at most ${MAX_MINOR_UNITS} minor units.`, {
    errors: [{ pointer: '#/amount', detail: 'would take the balance over its limit' }],
  });
}

function noAccount(): HttpProblem {
  return new HttpProblem(404, 'no-account', 'You have no account yet; open one with POST /api/account.');
}
