import { ActivityFailure, ApplicationFailure, WorkflowFailedError, WorkflowNotFoundError, type Client, type WorkflowHandle } from '@temporalio/client';
import type { Orm } from '../../../lib/database/open-database.ts';
import type { Logger } from '../../../lib/logger.ts';
import { paymentWorkflowId } from '../../../workflows/names.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';
import { startPayment } from '../outbox/start-payment.ts';

export interface ReconcilerOptions {
  orm: Orm;
  temporal: Client;
  logger: Logger;
  /** An order NEW for longer than this is looked at (RECONCILE_AFTER_MS). */
  olderThanMs: number;
  /** How often to look (RECONCILE_INTERVAL_MS). */
  intervalMs: number;
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

  async reconcileOnce(): Promise<Reconciliation> {
    const { orm, temporal, logger, olderThanMs } = this.options;
    const stale = await orm.em.fork().execute<{ id: string; payload: PaymentRequest }[]>(
      `select o.id, m.payload from orders o join outbox_messages m on m.aggregate_id = o.id and m.published_at is not null
        where o.status = 'NEW' and o.created_at < now() - ? * interval '1 millisecond'
        order by o.created_at limit ?`,
      [olderThanMs, BATCH],
    );
    const result: Reconciliation = { rearmed: [], reported: [] };
    for (const { id, payload } of stale) {
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
      if (status === 'RUNNING') continue;
      if (status === 'COMPLETED' || (status === 'FAILED' && (await failedOnConflict(handle)))) {
        logger.error({ orderId: id, workflowStatus: status }, 'order is NEW and its payment workflow will not move it: look at it by hand');
        result.reported.push(id);
        continue;
      }
      await startPayment(temporal, payload, undefined, 'ALLOW_DUPLICATE_FAILED_ONLY');
      logger.warn({ orderId: id, workflowStatus: status }, 'order was NEW with no live payment workflow: started it again');
      result.rearmed.push(id);
    }
    return result;
  }
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
