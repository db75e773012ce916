import type { EntityManager } from '@mikro-orm/postgresql';
import type { Client } from '@temporalio/client';
import type { Orm } from '../../../lib/database/open-database.ts';
import { listen } from '../../../lib/database/listen.ts';
import { withLogIds } from '../../../lib/log-context.ts';
import type { Logger } from '../../../lib/logger.ts';
import { continuing, inSpan } from '../../../lib/telemetry/trace-context.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';
import { OUTBOX_CHANNEL } from './outbox-message.entity.ts';
import { startPayment, temporalUnavailable } from './start-payment.ts';

export interface OutboxRelayOptions {
  orm: Orm;
  temporal: Client;
  logger: Logger;
  databaseUrl: string;
  batchSize: number;
  /** The fallback: how often to look for due rows when no notification came. */
  pollIntervalMs: number;
  /** Failed starts after which a row is dead-lettered (OUTBOX_MAX_ATTEMPTS). */
  maxAttempts: number;
  /** How long one workflow start may take before it counts as failed. */
  startTimeoutMs?: number;
}

interface DueMessage {
  id: string;
  payload: PaymentRequest;
  traceparent: string | null;
}

/**
 * Moves outbox messages into Temporal. Rows are claimed with FOR UPDATE SKIP LOCKED inside a
 * transaction, so any number of relays share the work without taking a row twice; a row is
 * marked published only after Temporal accepted its start, in that same transaction. A failed
 * start is recorded and retried later, with backoff, and dead-lettered after a bound. Dying at
 * any line loses nothing: the row stays unpublished and the next claim starts it again, which
 * Temporal dedupes by workflow id.
 */
export class OutboxRelay {
  private readonly options: OutboxRelayOptions;
  private draining: Promise<void> | undefined;
  private drainAgain = false;
  private stopped = false;
  private poller: NodeJS.Timeout | undefined;
  private listener: ReturnType<typeof listen> | undefined;

  constructor(options: OutboxRelayOptions) {
    this.options = options;
  }

  /**
   * Wakes on every NOTIFY of a new message, and polls as a fallback. Resolves once its LISTEN is
   * established: a relay that cannot hear new orders is not ready, only limping on its poll.
   */
  async start(): Promise<void> {
    this.listener = listen(this.options.databaseUrl, OUTBOX_CHANNEL, () => this.wake(), this.options.logger);
    this.poller = setInterval(() => this.wake(), this.options.pollIntervalMs);
    await this.listener.listening;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearInterval(this.poller);
    await this.listener?.close();
    await this.draining;
  }

  /** Publishes due messages until none is left; a wake-up while draining makes it look once more. */
  wake(): void {
    if (this.stopped) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
      if (this.drainAgain) {
        this.drainAgain = false;
        this.wake();
      }
    });
  }

  private async drain(): Promise<void> {
    try {
      while (!this.stopped && (await this.publishBatch()) === this.options.batchSize);
    } catch (error) {
      this.options.logger.error({ err: error }, 'outbox relay could not read the outbox');
    }
  }

  /**
   * Claims one batch of due messages, starts their workflows and records how each went. Each row's
   * record is written under a savepoint of its own, so one row that cannot be recorded leaves the
   * others' records standing; it stays due and is tried again, never holding the rest back.
   */
  async publishBatch(): Promise<number> {
    return this.options.orm.em.fork().transactional(async (tx) => {
      const due = await tx.execute<DueMessage[]>(
        `select id, payload, traceparent from outbox_messages
          where published_at is null and dead_at is null and next_attempt_at <= now()
          order by id limit ? for update skip locked`,
        [this.options.batchSize],
      );
      const results = await Promise.allSettled(due.map((message) => this.publish(message)));
      for (const [index, message] of due.entries()) {
        const result = results[index];
        // Only for the type checker: allSettled answers one result per message.
        if (!result) continue;
        const { orderId, requestId } = message.payload;
        // The row's lines name its order and the request that placed it, as the payment's lines do.
        await withLogIds({ orderId, requestId }, () =>
          tx.transactional((row) => (result.status === 'fulfilled' ? this.markPublished(row, message) : this.markFailed(row, message, result.reason))),
        )
          .catch((error: unknown) => this.options.logger.error({ outboxId: message.id, err: error }, 'could not record an outbox row; it stays due'));
      }
      return due.length;
    });
  }

  /**
   * Starts the message's workflow in a span that continues the trace of the request that placed
   * the order: the client interceptor carries it on into the workflow's headers.
   */
  private publish(message: DueMessage): Promise<void> {
    const attributes = { orderId: message.payload.orderId, 'outbox.message_id': message.id };
    return inSpan('publish outbox message', attributes, () => startPayment(this.options.temporal, message.payload, this.options.startTimeoutMs), continuing(message.traceparent));
  }

  // clock_timestamp(), not now(): now() is when this transaction began, before the starts.
  private async markPublished(tx: EntityManager, message: DueMessage): Promise<void> {
    await tx.execute(
      `update outbox_messages set published_at = clock_timestamp(), attempts = attempts + 1, last_error = null where id = ?`,
      [message.id],
    );
  }

  /**
   * Backs off exponentially (1, 2, 4 … 60 s; the exponent is capped, so no count overflows it)
   * and, after `maxAttempts`, moves the row to the dead letters: no relay claims it again until
   * an operator re-arms it (`npm run outbox -- retry <id>`). Only a failure that is the row's
   * own leads there: while Temporal is unavailable every row fails, for as long as the outage
   * lasts, and is only backed off (OutboxBacklogOld pages), or an outage of half an hour would
   * dead-letter every order placed during it.
   */
  private async markFailed(tx: EntityManager, message: DueMessage, reason: unknown): Promise<void> {
    const text = reason instanceof Error ? reason.message : String(reason);
    const [row] = await tx.execute<{ dead: boolean; attempts: number }[]>(
      `update outbox_messages
          set attempts = attempts + 1, last_error = ?,
              next_attempt_at = clock_timestamp() + least(power(2, least(attempts, 6)), 60) * interval '1 second',
              dead_at = case when ? and attempts + 1 >= ? then clock_timestamp() end
        where id = ?
        returning dead_at is not null as dead, attempts`,
      [text.slice(0, 2000), !temporalUnavailable(reason), this.options.maxAttempts, message.id],
    );
    if (row?.dead) {
      this.options.logger.error({ outboxId: message.id, attempts: row.attempts, err: reason }, 'outbox row dead-lettered: it will not be retried until an operator re-arms it');
    } else {
      this.options.logger.warn({ outboxId: message.id, err: reason }, 'starting a payment failed; will retry');
    }
  }
}
