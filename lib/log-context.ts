import { AsyncLocalStorage } from 'node:async_hooks';
import { trace } from '@opentelemetry/api';

/** The ids a log line is joined on: the request it serves, whose it is, the order it is about. */
export interface LogIds {
  requestId?: string;
  userId?: string;
  orderId?: string;
}

const current = new AsyncLocalStorage<LogIds>();
const NO_TRACE = '0'.repeat(32);

/**
 * Runs `work` with `ids` as the ids of every line it logs, awaited work included. The object is
 * read at each line, so ids learnt later (the user once authenticated, the order once placed)
 * are written into it and join the lines after.
 */
export function withLogIds<T>(ids: LogIds, work: () => T): T {
  return current.run(ids, work);
}

/** The ids of the work in progress, and the trace it belongs to (once tracing runs): what every line carries (pino's mixin). */
export function currentLogIds(): LogIds & { traceId?: string } {
  const { requestId, userId, orderId } = current.getStore() ?? {};
  const traceId = trace.getActiveSpan()?.spanContext().traceId;
  return {
    ...(requestId ? { requestId } : {}),
    ...(userId ? { userId } : {}),
    ...(orderId ? { orderId } : {}),
    ...(traceId && traceId !== NO_TRACE ? { traceId } : {}),
  };
}
