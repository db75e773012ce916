import { readConfig, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default PAYMENTS_URL and `npm start` use it too. */
export const DEFAULT_PAYMENTS_PORT = 8001;

export function readPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      PAYMENTS_HOST: setting.host('127.0.0.1'),
      PAYMENTS_PORT: setting.port(DEFAULT_PAYMENTS_PORT),
      METRICS_ADDRESS: setting.hostPort().optional(),
      PAYMENTS_DATABASE_URL: setting.postgresUrl(),
      DATABASE_POOL_SIZE: setting.poolSize(),
      INTERNAL_TOKEN: setting.secret(),
      CURRENCY: setting.currency(),
      LOG_LEVEL: setting.logLevel(),
    },
    env,
  );
}
export type PaymentsConfig = ReturnType<typeof readPaymentsConfig>;
