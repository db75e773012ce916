import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Orm } from '../lib/database/open-database.ts';
import { serveMetrics } from '../lib/http/metrics.ts';
import { createLogger } from '../lib/logger.ts';
import { runMain } from '../lib/main.ts';
import type { WorkerConfig } from './config.ts';
import { loopbackPort, sdkMetrics } from './sdk-metrics.ts';
import type { WorkerOptions } from './worker-factories.ts';
import { installWorkerRuntime } from './worker-runtime.ts';

export interface WorkerProcess<Config extends WorkerConfig> {
  name: string;
  readConfig: () => Config;
  /** Opens the side's database, with a pool of DATABASE_POOL_SIZE connections. */
  openDatabase: (config: Config) => Promise<Orm>;
  createWorker: (options: WorkerOptions) => Promise<Worker>;
}

/**
 * Runs a Temporal worker as a process: reads its settings, installs the SDK's runtime, opens
 * its database and connection, and hands them to its factory. On SIGTERM it stops polling and
 * finishes the tasks it has (graceful drain) before the database connection closes.
 * METRICS_ADDRESS serves the SDK's metrics, `/healthz` (the process runs) and `/readyz` (it
 * polls, and Temporal and its database answer).
 */
export function runWorker<Config extends WorkerConfig>({ name, readConfig, openDatabase, createWorker }: WorkerProcess<Config>): Promise<void> {
  return runMain(async () => {
    const config = readConfig();
    const logger = createLogger(name, config.LOG_LEVEL);
    const sdkMetricsAddress = config.METRICS_ADDRESS ? `127.0.0.1:${await loopbackPort()}` : undefined;
    installWorkerRuntime(sdkMetricsAddress, logger);
    const orm = await openDatabase(config);
    const connection = await NativeConnection.connect(config.temporal.options);
    const worker = await createWorker({ connection, orm, namespace: config.temporal.namespace });
    const running = worker.run();
    // Ready (runMain tells the supervisor) only once the SDK says the worker polls its task queue.
    if (worker.getState() !== 'RUNNING') throw new Error(`${name} did not start polling (worker state ${worker.getState()})`);
    const metricsServer =
      config.METRICS_ADDRESS && sdkMetricsAddress
        ? await serveMetrics(sdkMetrics(sdkMetricsAddress), config.METRICS_ADDRESS, {
            logger,
            health: {
              worker: () => (worker.getState() === 'RUNNING' ? Promise.resolve() : Promise.reject(new Error(`worker state ${worker.getState()}`))),
              temporal: () => connection.workflowService.getSystemInfo({}),
              database: () => orm.em.fork().execute('select 1'),
            },
          })
        : undefined;
    logger.info({ taskQueue: worker.options.taskQueue, metrics: metricsServer?.url }, `${name} polling`);
    return {
      logger,
      stop: async () => {
        worker.shutdown();
        await running;
        await metricsServer?.close();
        await connection.close();
        await orm.close();
      },
    };
  });
}
