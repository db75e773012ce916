import { addressSettings, readConfig, serviceSettings, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default ORDERS_URL and `npm start` use it too. */
export const DEFAULT_ORDERS_PORT = 8002;

export function readOrdersConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ...addressSettings('ORDERS', DEFAULT_ORDERS_PORT),
      ...serviceSettings,
      CURRENCY: setting.currency(),
    },
    env,
  );
}
export type OrdersConfig = ReturnType<typeof readOrdersConfig>;
