import pg from 'pg';
import type { Logger } from '../logger.ts';

export interface ListenOptions {
  /** How often the connection is asked `select 1`; a half-open one raises no error by itself. */
  checkEveryMs?: number;
  /** How long the check, or an attempt to connect, may take before it counts as failed. */
  checkTimeoutMs?: number;
}

/**
 * LISTENs on a PostgreSQL channel on a connection of its own, calling `onNotify` for every
 * notification, and reconnects (then calls `onNotify` once, for what it may have missed)
 * whenever the connection is lost, or stops answering its periodic check. `listening` settles
 * once the first LISTEN is in place (it keeps trying until then): before that a notification
 * would be missed, so whoever relies on being woken is not ready.
 */
export function listen(
  url: string,
  channel: string,
  onNotify: (payload: string) => void,
  logger: Logger,
  { checkEveryMs = 30_000, checkTimeoutMs = 5_000 }: ListenOptions = {},
): { listening: Promise<void>; close: () => Promise<void> } {
  let client: pg.Client | undefined;
  let check: NodeJS.Timeout | undefined;
  let closed = false;
  let retryMs = 500;
  let established: () => void = () => undefined;
  const listening = new Promise<void>((resolve) => (established = resolve));

  const connect = async () => {
    // A server that accepts but never answers must not hold the attempt (and every later one) for ever.
    const next = new pg.Client({ connectionString: url, keepAlive: true, query_timeout: checkTimeoutMs, connectionTimeoutMillis: checkTimeoutMs });
    let lost = false;
    const drop = (error: unknown, message: string) => {
      if (lost) return;
      lost = true;
      clearInterval(check);
      logger.warn({ err: error, channel }, message);
      void next.end().catch(() => undefined);
      reconnect();
    };
    // Runs inside pg's socket callback: an error thrown there would end the process.
    next.on('notification', (message) => notify(message.payload ?? ''));
    next.on('error', (error) => drop(error, 'listen connection lost'));
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
      // Closed while this attempt was under way: it must not stay open (and keep the process alive).
      if (closed) {
        await next.end();
        return;
      }
      client = next;
      retryMs = 500;
      established();
      check = setInterval(() => void next.query('select 1').catch((error: unknown) => drop(error, 'listen connection failed its check')), checkEveryMs);
      check.unref();
      notify('');
    } catch (error) {
      drop(error, 'could not listen; retrying');
    }
  };
  const notify = (payload: string) => {
    try {
      onNotify(payload);
    } catch (error) {
      logger.error({ err: error, channel }, 'a notification could not be handled');
    }
  };
  const reconnect = () => {
    client = undefined;
    if (closed) return;
    setTimeout(() => closed || void connect(), retryMs).unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  void connect();
  return {
    listening,
    async close() {
      closed = true;
      clearInterval(check);
      await client?.end();
    },
  };
}
