import { ActivityFailure, ApplicationFailure, WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Orm } from '../../../lib/database/open-database.ts';
import type { Logger } from '../../../lib/logger.ts';
import { paymentWorkflowId } from '../../../workflows/names.ts';
import { DEFAULT_DEBIT_DEADLINE_SECONDS, type PaymentRequest } from '../../../workflows/payment.types.ts';
import { startPayment } from '../outbox/start-payment.ts';

export interface ReconcilerOptions {
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** An order NEW for longer than this is looked at (RECONCILE_AFTER_MS). */
  olderThanMs: number;
  /** How often to look (RECONCILE_INTERVAL_MS). */
  intervalMs: number;
  /** Orders read at a time (default 100). */
  batchSize?: number;
}

export interface Reconciliation {
  /** Orders whose payment was started again: its workflow was missing, failed, timed out or terminated. */
  rearmed: string[];
  /**
   * Orders left NEW by a workflow that completed (something outside the saga moved them) or that
   * failed on a non-retryable conflict (a rerun would fail the same way): a human looks.
   */
  reported: string[];
}

const BATCH = 100;

/**
 * The last guard against an order left NEW for good: every order NEW for longer than the
 * threshold whose payment workflow is missing (never started, or forgotten after retention)
 * or closed without completing is re-armed; one that completed, or failed on a conflict, is
 * reported as an error. Re-arming is safe whatever happened before: the inbox answers a debit that
 * already ran with its first outcome, and the order moves only out of NEW.
 */
export class Reconciler {
  private readonly options: ReconcilerOptions;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(options: ReconcilerOptions) {
    this.options = options;
  }

  start(): void {
    this.timer = setInterval(() => {
      this.running ??= this.reconcileOnce()
        .catch((error: unknown) => this.options.logger.error({ err: error }, 'reconciler could not run'))
        .finally(() => (this.running = undefined));
    }, this.options.intervalMs);
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * Looks at every stale order, a batch at a time from the oldest: orders it leaves as they are
   * (alive but stuck behind an outage, or reported) must not hide the newer ones behind them.
   */
  async reconcileOnce(): Promise<Reconciliation> {
    const result: Reconciliation = { rearmed: [], reported: [] };
    // Keyset paging on (created_at, id); created_at kept as text, which keeps its microseconds.
    let after = { createdAt: '-infinity', id: '00000000-0000-0000-0000-000000000000' };
    for (;;) {
      const stale = await this.options.orm.em.fork().execute<{ id: string; created_at: string; age_seconds: string; payload: PaymentRequest }[]>(
        `select o.id, o.created_at::text as created_at, extract(epoch from now() - o.created_at) as age_seconds, m.payload
           from orders o join outbox_messages m on m.aggregate_id = o.id and m.published_at is not null
          where o.status = 'NEW' and o.created_at < now() - ? * interval '1 millisecond'
            and (o.created_at, o.id) > (?::timestamptz, ?::uuid)
          order by o.created_at, o.id limit ?`,
        [this.options.olderThanMs, after.createdAt, after.id, this.options.batchSize ?? BATCH],
      );
      for (const order of stale) await this.reconcile(order.id, withDeadlineLeft(order.payload, Number(order.age_seconds)), result);
      const last = stale.at(-1);
      if (!last || stale.length < (this.options.batchSize ?? BATCH)) return result;
      after = { createdAt: last.created_at, id: last.id };
    }
  }

  private async reconcile(id: string, payload: PaymentRequest, result: Reconciliation): Promise<void> {
    const { temporal, logger } = this.options;
    const handle = temporal.workflow.getHandle(paymentWorkflowId(id));
    const status = await handle
      .describe()
      .then(
        (description) => description.status.name,
        (error: unknown) => {
          if (error instanceof WorkflowNotFoundError) return 'MISSING';
          throw error;
        },
      );
    if (status === 'RUNNING') return;
    if (status === 'COMPLETED' || (status === 'FAILED' && (await failedOnConflict(handle)))) {
      // Read NEW before describe: a run that completed in between moved the order, all is well.
      if (!(await this.stillNew(id))) return;
      logger.error({ orderId: id, workflowStatus: status }, 'order is NEW and its payment workflow will not move it: look at it by hand');
      result.reported.push(id);
      return;
    }
    await startPayment(temporal, payload, undefined, 'ALLOW_DUPLICATE_FAILED_ONLY');
    logger.warn({ orderId: id, workflowStatus: status }, 'order was NEW with no live payment workflow: started it again');
    result.rearmed.push(id);
  }

  private async stillNew(id: string): Promise<boolean> {
    const [order] = await this.options.orm.em.fork().execute<{ status: string }[]>('select status from orders where id = ?', [id]);
    return order?.status === 'NEW';
  }
}

/**
 * The debit's deadline counts from the order, not from each run: a re-armed run gets what is left
 * of it (at least a second), so an order past it is voided at once rather than debited hours
 * after the README says no money moves for it.
 */
function withDeadlineLeft(payload: PaymentRequest, ageSeconds: number): PaymentRequest {
  const deadline = payload.debitDeadlineSeconds ?? DEFAULT_DEBIT_DEADLINE_SECONDS;
  return { ...payload, debitDeadlineSeconds: Math.max(1, Math.ceil(deadline - ageSeconds)) };
}

/** Whether the run failed on a non-retryable activity failure (a SagaConflict): running it again would too. */
function failedOnConflict(handle: WorkflowHandle): Promise<boolean> {
  return handle.result().then(
    () => false,
    (error: unknown) =>
      error instanceof WorkflowFailedError &&
      error.cause instanceof ActivityFailure &&
      error.cause.cause instanceof ApplicationFailure &&
      error.cause.cause.nonRetryable === true,
  );
}
