import { NativeConnection, type Worker } from '@temporalio/worker';
import type { Orm } from '../lib/database/open-database.ts';
import { createLogger } from '../lib/logger.ts';
import { runMain } from '../lib/main.ts';
import type { WorkerConfig } from './config.ts';
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
 */
export function runWorker<Config extends WorkerConfig>({ name, readConfig, openDatabase, createWorker }: WorkerProcess<Config>): Promise<void> {
  return runMain(async () => {
    const config = readConfig();
    const logger = createLogger(name, config.LOG_LEVEL);
    installWorkerRuntime(config.METRICS_ADDRESS);
    const orm = await openDatabase(config);
    const connection = await NativeConnection.connect(config.temporal.options);
    const worker = await createWorker({ connection, orm, namespace: config.temporal.namespace });
    const running = worker.run();
    // Ready (runMain tells the supervisor) only once the SDK says the worker polls its task queue.
    if (worker.getState() !== 'RUNNING') throw new Error(`${name} did not start polling (worker state ${worker.getState()})`);
    logger.info({ taskQueue: worker.options.taskQueue }, `${name} polling`);
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
