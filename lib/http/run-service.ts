import type Koa from 'koa';
import type { Orm } from '../database/open-database.ts';
import { createLogger, type Logger } from '../logger.ts';
import { runMain } from '../main.ts';
import { serveMetrics, type Metrics } from './metrics.ts';
import { serve } from './server.ts';

export interface ServiceDefinition<Config> {
  name: string;
  readConfig: () => Config;
  /** `metricsAddress`: host:port for the Prometheus metrics, apart from the API's port; none if unset. */
  listen: (config: Config) => { host: string; port: number; metricsAddress: string | undefined; logLevel: string; databaseUrl: string; poolSize: number };
  openDatabase: (url: string, poolSize: number) => Promise<Orm>;
  /** The service's app, and what must be closed with it. */
  createApp: (orm: Orm, config: Config, logger: Logger) => { app: Koa; metrics: Metrics; close: () => Promise<void> };
}

/** Runs an internal service as a process: its database, its HTTP server and its metrics server. */
export function runService<Config>(service: ServiceDefinition<Config>): Promise<void> {
  return runMain(async () => {
    const config = service.readConfig();
    const { host, port, metricsAddress, logLevel, databaseUrl, poolSize } = service.listen(config);
    const logger = createLogger(service.name, logLevel);
    const orm = await service.openDatabase(databaseUrl, poolSize);
    const { app, metrics, close } = service.createApp(orm, config, logger);
    const metricsServer = metricsAddress ? await serveMetrics(metrics, metricsAddress) : undefined;
    const server = await serve(app, host, port);
    logger.info({ url: server.url, metrics: metricsServer?.url }, `${service.name} service listening`);
    return {
      logger,
      stop: async () => {
        // Stop taking connections, end the app's long-lived streams, then wait for the rest.
        const closing = server.close();
        await close();
        await closing;
        await orm.close();
        await metricsServer?.close();
      },
    };
  });
}
