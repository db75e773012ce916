import pg from 'pg';
import type { Logger } from '../logger.ts';

/**
 * LISTENs on a PostgreSQL channel on a connection of its own, calling `onNotify` for every
 * notification, and reconnects (then calls `onNotify` once, for what it may have missed)
 * whenever the connection is lost.
 */
export function listen(url: string, channel: string, onNotify: (payload: string) => void, logger: Logger): { close: () => Promise<void> } {
  let client: pg.Client | undefined;
  let closed = false;
  let retryMs = 500;

  const connect = async () => {
    const next = new pg.Client({ connectionString: url });
    // Runs inside pg's socket callback: an error thrown there would end the process.
    next.on('notification', (message) => notify(message.payload ?? ''));
    next.on('error', (error) => {
      logger.warn({ err: error, channel }, 'listen connection lost');
      void next.end().catch(() => undefined);
      reconnect();
    });
    try {
      await next.connect();
      await next.query(`listen "${channel}"`);
      client = next;
      retryMs = 500;
      notify('');
    } catch (error) {
      logger.warn({ err: error, channel }, 'could not listen; retrying');
      await next.end().catch(() => undefined);
      reconnect();
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
    setTimeout(() => void connect(), retryMs).unref();
    retryMs = Math.min(retryMs * 2, 10_000);
  };

  void connect();
  return {
    async close() {
      closed = true;
      await client?.end();
    },
  };
}
