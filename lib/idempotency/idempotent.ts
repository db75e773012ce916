import { createHash } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Context, Middleware } from 'koa';
import stableStringify from 'safe-stable-stringify';
import { HttpProblem, PROBLEM_CONTENT_TYPE, sendProblem, toProblem } from '../http/problem.ts';
import { storableText } from '../storable-text.ts';
import { IdempotencyKey } from './idempotency-key.entity.ts';

export const IDEMPOTENCY_KEY_HEADER = 'idempotency-key';
export const REPLAYED_HEADER = 'idempotent-replayed';
/** Stored with the answer and sent on in a header: visible ASCII only, which PostgreSQL keeps as is. */
export const idempotencyKeySchema = storableText().regex(/^[\x21-\x7e]{1,255}$/, 'must be 1 to 255 visible ASCII characters');

/**
 * The caller's key as sent, or undefined when it sent none. An empty header is a key, and a
 * malformed one: read as none, its retry would be carried out a second time.
 */
export function idempotencyKeyOf(ctx: Context): string | undefined {
  const value = ctx.headers[IDEMPOTENCY_KEY_HEADER];
  // Node joins a repeated header into one string (which fails the key's format), so this only narrows the type.
  return typeof value === 'string' ? value : undefined;
}

/**
 * Honours the `Idempotency-Key` header. The key is stored in the same transaction as the
 * request's effect, together with the answer, so a crash at any point leaves either both or
 * neither. A transaction-scoped advisory lock on (user, key) tells a retry that arrives while
 * the first request is still running (409) from one that arrives after it (the first answer).
 * Answers below 500 are kept; a 5xx changed nothing, so its retry runs afresh.
 * Needs `ctx.state.userId` and a request-scoped `ctx.state.em`; the handler runs on the
 * transaction's entity manager and must use `ctx.state.em`.
 */
export function idempotent(): Middleware {
  return async (ctx, next) => {
    const key = idempotencyKeyOf(ctx);
    if (key === undefined) {
      await next();
      return;
    }
    const checked = idempotencyKeySchema.safeParse(key);
    if (!checked.success) {
      const errors = checked.error.issues.map((issue) => ({ pointer: `header:${IDEMPOTENCY_KEY_HEADER}`, detail: issue.message }));
      throw new HttpProblem(422, 'invalid-idempotency-key', 'The Idempotency-Key header is not valid.', { errors });
    }
    const userId: string = ctx.state.userId;
    const requestHash = hashRequest(ctx);
    const em: EntityManager = ctx.state.em;

    await em.transactional(async (tx) => {
      const [lock] = await tx.execute<{ acquired: boolean }[]>(
        'select pg_try_advisory_xact_lock(hashtext(?), hashtext(?)) as acquired',
        [userId, key],
      );
      if (!lock?.acquired) {
        throw new HttpProblem(409, 'request-in-progress', 'A request with this Idempotency-Key is still in progress; retry shortly.');
      }
      const stored = await tx.findOne(IdempotencyKey, { userId, key });
      if (stored) return replay(ctx, stored, requestHash);

      ctx.state.em = tx;
      try {
        // A savepoint (MikroORM's default propagation inside a transaction is nested): a problem
        // answer undoes the handler's writes but is itself remembered.
        await tx.transactional(() => next());
      } catch (error) {
        const problem = toProblem(error);
        if (problem.status >= 500) throw error;
        sendProblem(ctx, problem);
      }
      tx.create(IdempotencyKey, {
        userId,
        key,
        requestHash,
        responseStatus: ctx.status,
        responseBody: ctx.body,
        responseLocation: ctx.response.get('location') || null,
      });
    });
  };
}

function replay(ctx: Context, stored: IdempotencyKey, requestHash: string): void {
  if (stored.requestHash !== requestHash) {
    throw new HttpProblem(422, 'idempotency-key-reused', 'This Idempotency-Key was already used for a different request.');
  }
  ctx.status = stored.responseStatus;
  ctx.body = stored.responseBody;
  if (stored.responseStatus >= 400) ctx.type = PROBLEM_CONTENT_TYPE;
  if (stored.responseLocation) ctx.set('location', stored.responseLocation);
  ctx.set(REPLAYED_HEADER, 'true');
}

/** Same method, path and JSON body (whatever its key order or spacing) give the same hash. */
function hashRequest(ctx: Context): string {
  const body = stableStringify(ctx.request.body ?? null);
  return createHash('sha256').update(`${ctx.method} ${ctx.path}\n${body}`).digest('hex');
}
