import { readConfig, serviceSettings, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default ORDERS_URL and `npm start` use it too. */
export const DEFAULT_ORDERS_PORT = 8002;

export function readOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ORDERS_HOST: setting.host('127.0.0.1'),
      ORDERS_PORT: setting.port(DEFAULT_ORDERS_PORT),
      ORDERS_DATABASE_URL: setting.postgresUrl(),
      ...serviceSettings,
      CURRENCY: setting.currency(),
    },
    env,
  );
}
export type OrdersConfig = ReturnType<typeof readOrdersConfig>;
