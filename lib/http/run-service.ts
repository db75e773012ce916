import type Koa from 'koa';
import { addressOf, type AddressSettings, type ServiceSettings } from '../config.ts';
import type { Orm } from '../database/open-database.ts';
import { createLogger, type Logger } from '../logger.ts';
import { runMain } from '../main.ts';
import { registryMetrics, serveMetrics, type Metrics } from './metrics.ts';
import { serve } from './server.ts';

export interface ServiceDefinition<Name extends string, Config extends ServiceSettings & AddressSettings<Name>> {
  name: string;
  /** The prefix of its address settings (addressSettings): ORDERS for ORDERS_HOST, ORDERS_PORT and ORDERS_DATABASE_URL. */
  settings: Name;
  readConfig: () => Config;
  openDatabase: (url: string, poolSize: number) => Promise<Orm>;
  /** The service's app, and what must be closed with it. */
  createApp: (orm: Orm, config: Config, logger: Logger) => { app: Koa; metrics: Metrics; close: () => Promise<void> };
}

/** Runs an internal service as a process: its database, its HTTP server and its metrics server. */
export function runService<Name extends string, Config extends ServiceSettings & AddressSettings<Name>>(service: ServiceDefinition<Name, Config>): Promise<void> {
  return runMain(async () => {
    const config = service.readConfig();
    const { host, port, databaseUrl } = addressOf(config, service.settings);
    const logger = createLogger(service.name, config.LOG_LEVEL);
    const orm = await service.openDatabase(databaseUrl, config.DATABASE_POOL_SIZE);
    const { app, metrics, close } = service.createApp(orm, config, logger);
    // Metrics are served apart from the API's port, and only where METRICS_ADDRESS says.
    const metricsServer = config.METRICS_ADDRESS ? await serveMetrics(registryMetrics(metrics), config.METRICS_ADDRESS, { logger }) : undefined;
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
