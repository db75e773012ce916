import { readConfig, setting } from '../../lib/config.ts';

export function readOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ORDERS_HOST: setting.host('127.0.0.1'),
      ORDERS_PORT: setting.port(8002),
      METRICS_ADDRESS: setting.hostPort().optional(),
      ORDERS_DATABASE_URL: setting.postgresUrl(),
      DATABASE_POOL_SIZE: setting.poolSize(),
      INTERNAL_TOKEN: setting.secret(),
      CURRENCY: setting.currency(),
      LOG_LEVEL: setting.logLevel(),
    },
    env,
  );
}
export type OrdersConfig = ReturnType<typeof readOrdersConfig>;
