import { DefaultLogger, Runtime, makeTelemetryFilterString } from '@temporalio/worker';

/**
 * Sets up the Temporal SDK's runtime for a worker process, before its first connection. The
 * process's own runner owns the signals, so the drain happens in its order; the SDK's chatter
 * (bundling, state changes) stays below warnings.
 */
export function installWorkerRuntime(metricsAddress: string | undefined): void {
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN'),
    telemetryOptions: {
      logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
      // host:port for the SDK's Prometheus metrics (task latencies, slots, polls); none if unset.
      ...(metricsAddress ? { metrics: { prometheus: { bindAddress: metricsAddress } } } : {}),
    },
  });
}
