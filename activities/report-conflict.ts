import { ApplicationFailure, Context } from '@temporalio/activity';
import { SagaConflict } from '../lib/saga-conflict.ts';

/**
 * Runs an activity's work; a SagaConflict becomes loud: an error log line, the
 * `saga_conflicts` counter on the worker's metrics, and a non-retryable failure that fails the
 * workflow (and so the "workflow failed" alert). Anything else is thrown on, to be retried.
 */
export async function failLoudlyOnConflict<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof SagaConflict)) throw error;
    const context = Context.current();
    context.log.error(error.message, { kind: error.kind, ...error.details });
    context.metricMeter.createCounter('saga_conflicts', '1', 'Messages contradicting what was recorded for them').add(1, { kind: error.kind });
    throw ApplicationFailure.create({ type: error.kind, message: error.message, details: [error.details], nonRetryable: true });
  }
}
