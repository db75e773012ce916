import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker, makeTelemetryFilterString } from '@temporalio/worker';
import type { Orm } from '../lib/database/open-database.ts';
import { createLogger } from '../lib/logger.ts';
import { runMain } from '../lib/main.ts';
import { countLongRetries } from './attempt-metric.ts';

export interface WorkerDefinition {
  name: string;
  taskQueue: string;
  temporalAddress: string;
  namespace: string;
  logLevel: string;
  /** The database pool's size, and so the number of activities run at once: each holds a connection. */
  poolSize: number;
  openDatabase: (poolSize: number) => Promise<Orm>;
  activities: (orm: Orm) => object;
  /** Only the worker that runs workflows bundles them. */
  runsWorkflows: boolean;
  /** host:port for the SDK's Prometheus metrics (task latencies, slots, polls); none if unset. */
  metricsAddress: string | undefined;
}

export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/**
 * Runs a Temporal worker as a process. On SIGTERM it stops polling and finishes the tasks it
 * has (graceful drain) before the database connection closes.
 */
export function runWorker(define: () => WorkerDefinition): Promise<void> {
  return runMain(async () => {
    const definition = define();
    const logger = createLogger(definition.name, definition.logLevel);
    // runMain owns the signals, so the drain happens in the order below. The SDK's own chatter
    // (bundling, state changes) stays below warnings.
    Runtime.install({
      shutdownSignals: [],
      logger: new DefaultLogger('WARN'),
      telemetryOptions: {
        logging: { filter: makeTelemetryFilterString({ core: 'WARN' }) },
        ...(definition.metricsAddress ? { metrics: { prometheus: { bindAddress: definition.metricsAddress } } } : {}),
      },
    });
    const orm = await definition.openDatabase(definition.poolSize);
    const connection = await NativeConnection.connect({ address: definition.temporalAddress });
    const worker = await Worker.create({
      connection,
      namespace: definition.namespace,
      taskQueue: definition.taskQueue,
      activities: definition.activities(orm),
      // More activities at once than connections would only queue them on the pool, timing out there.
      maxConcurrentActivityTaskExecutions: definition.poolSize,
      interceptors: { activity: [countLongRetries()] },
      ...(definition.runsWorkflows ? { workflowsPath: WORKFLOWS_PATH } : {}),
    });
    const running = worker.run();
    logger.info({ taskQueue: definition.taskQueue }, `${definition.name} polling`);
    return {
      logger,
      stop: async () => {
        worker.shutdown();
        await running;
        await connection.close();
        await orm.close();
      },
    };
  });
}
