import { randomUUID } from 'node:crypto';
import type { Middleware } from 'koa';
import type pg from 'pg';
import { HttpProblem } from '../../../lib/http/problem.ts';
import type { Logger } from '../../../lib/logger.ts';

/** A replica renews its streams' leases this often; a dead replica's leases end a lease later. */
const LEASE_SECONDS = 60;
const RENEW_MS = 20_000;
/** A stream is freed when its client hangs up: worth trying again soon. */
const RETRY_AFTER_SECONDS = 5;

export interface StreamCap {
  middleware: Middleware;
  /** Resolves once every release under way is written: wait for it before closing the pool. */
  released(): Promise<void>;
}

/**
 * At most `cap` event streams open at once per user, counted over every gateway replica by leases
 * in the gateway's database; 0 turns the cap off. The lease is released when the answer ends, for
 * whatever reason.
 */
export function streamCap(pool: pg.Pool, cap: number, logger: Logger): StreamCap {
  // A stopping replica cuts its streams and then closes the pool: the releases must land first, or
  // its users' places stay taken until their leases run out. A cut stream hears its 'close' only
  // after the server has closed, so every lease held is waited for, not only the releases begun.
  const held = new Set<Promise<void>>();
  const released = async () => {
    await Promise.all(held);
  };
  if (cap === 0) return { middleware: (_ctx, next) => next(), released };
  const middleware: Middleware = async (ctx, next) => {
    const userId = ctx.state.userId;
    const lease = randomUUID();
    let taken: boolean;
    try {
      taken = await takeLease(pool, userId, lease, cap);
    } catch (error) {
      logger.warn({ err: error }, 'event stream lease failed');
      throw new HttpProblem(503, 'service-unavailable', 'Streams cannot be counted right now; try again shortly.', { headers: { 'retry-after': '1' } });
    }
    if (!taken) {
      throw new HttpProblem(429, 'too-many-streams', `At most ${cap} event streams may be open at once per user; close one first.`, {
        headers: { 'retry-after': String(RETRY_AFTER_SECONDS) },
      });
    }
    let isGone: () => void = () => undefined;
    const gone = new Promise<void>((resolve) => {
      isGone = resolve;
    });
    held.add(gone);
    const failed = (error: unknown) => logger.warn({ err: error }, 'event stream lease update failed');
    // Renewal writes the lease back if it is gone: after renewals failed for a lease's length (a
    // long database outage) the next stream of the user clears it as a dead replica's, yet this
    // stream still lives and must be counted again.
    let renewing: Promise<unknown> = Promise.resolve();
    const renew = setInterval(() => {
      renewing = pool
        .query(
          `insert into event_stream_leases (id, user_id, expires_at) values ($1, $2, now() + make_interval(secs => $3))
           on conflict (id) do update set expires_at = excluded.expires_at`,
          [lease, userId, LEASE_SECONDS],
        )
        .catch(failed);
    }, RENEW_MS).unref();
    let releasing: Promise<void> | undefined;
    const release = () => {
      clearInterval(renew);
      // After a renewal in flight, which would otherwise write the lease back once it is deleted.
      releasing ??= renewing
        .then(() => pool.query('delete from event_stream_leases where id = $1', [lease]))
        .then(() => undefined, failed)
        .finally(() => {
          held.delete(gone);
          isGone();
        });
      return releasing;
    };
    // A client that left while the lease was being taken has had its 'close' already.
    if (ctx.res.closed) {
      await release();
      return;
    }
    ctx.res.once('close', () => void release());
    try {
      await next();
    } catch (error) {
      // A stream that could not be opened gives its place back before the client hears why, so
      // the client's next try finds it free.
      await release();
      throw error;
    }
  };
  return { middleware, released };
}

/** Counts the user's live leases and takes one if there is room, one replica at a time per user. */
async function takeLease(pool: pg.Pool, userId: string, lease: string, cap: number): Promise<boolean> {
  const client = await pool.connect();
  try {
    await client.query('begin');
    await client.query('select pg_advisory_xact_lock(hashtextextended($1, 0))', [`event-streams:${userId}`]);
    await client.query('delete from event_stream_leases where user_id = $1 and expires_at <= now()', [userId]);
    const { rows } = await client.query<{ open: string }>('select count(*) as open from event_stream_leases where user_id = $1', [userId]);
    const room = Number(rows[0]?.open ?? 0) < cap;
    if (room) {
      await client.query('insert into event_stream_leases (id, user_id, expires_at) values ($1, $2, now() + make_interval(secs => $3))', [lease, userId, LEASE_SECONDS]);
    }
    await client.query('commit');
    return room;
  } catch (error) {
    await client.query('rollback').catch(() => undefined);
    throw error;
  } finally {
    client.release();
  }
}
