import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger.ts';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * Said by every worker that runs no workflows, as the orders worker does by design: not worth a
 * warning on every start.
 */
const NO_WORKFLOWS = 'No workflows registered, not polling for workflow tasks';

/**
 * Sets up the Temporal SDK's runtime for a worker process, before its first connection. Its log
 * lines (the SDK's own, the native core's, and the activities' context loggers) go through the
 * process's pino logger as JSON. The process's own runner owns the signals, so the drain happens
 * in its order.
 */
export function installWorkerRuntime(metricsAddress: string | undefined, logger: Logger): void {
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('TRACE', (entry) => toPino(logger, entry)),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }), forward: {} },
      // host:port for the SDK's Prometheus metrics (task latencies, slots, polls); none if unset.
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}

function toPino(logger: Logger, { level, message, meta }: LogEntry): void {
  const pinoLevel = message === NO_WORKFLOWS ? 'debug' : PINO_LEVEL[level];
  logger[pinoLevel](meta ?? {}, message);
}
