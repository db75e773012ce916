import { readConfig, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default ORDERS_URL and `npm start` use it too. */
export const DEFAULT_ORDERS_PORT = 8002;

export function readOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ORDERS_HOST: setting.host('127.0.0.1'),
      ORDERS_PORT: setting.port(DEFAULT_ORDERS_PORT),
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
