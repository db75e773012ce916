import { readConfig, serviceSettings, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default PAYMENTS_URL and `npm start` use it too. */
export const DEFAULT_PAYMENTS_PORT = 8001;

export function readPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      PAYMENTS_HOST: setting.host('127.0.0.1'),
      PAYMENTS_PORT: setting.port(DEFAULT_PAYMENTS_PORT),
      PAYMENTS_DATABASE_URL: setting.postgresUrl(),
      ...serviceSettings,
      CURRENCY: setting.currency(),
    },
    env,
  );
}
export type PaymentsConfig = ReturnType<typeof readPaymentsConfig>;
