import { DefaultLogger, Runtime, makeTelemetryFilterString, type LogEntry, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../lib/logger.ts';

const PINO_LEVEL = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const satisfies Record<LogLevel, string>;

/**
 * Said by every worker that runs no workflows, as the orders worker does by design: not worth a
 * warning on every start.
 */
const NO_WORKFLOWS = 'No workflows registered, not polling for workflow tasks';

/**
 * The level a line of the SDK is logged at. The worker's own news (state changes, what it polls)
 * is chatter below info; the activities' lines, warnings and errors keep theirs.
 */
function pinoLevel({ level, message, meta }: LogEntry) {
  if (message === NO_WORKFLOWS) return 'debug';
  if (level === 'INFO' && meta?.['sdkComponent'] === 'worker') return 'debug';
  return PINO_LEVEL[level];
}

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

function toPino(logger: Logger, entry: LogEntry): void {
  logger[pinoLevel(entry)](entry.meta ?? {}, entry.message);
}
