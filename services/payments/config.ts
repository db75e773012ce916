import { addressSettings, readConfig, serviceSettings, setting } from '../../lib/config.ts';

/** Its port when none is set; the gateway's default PAYMENTS_URL and `npm start` use it too. */
export const DEFAULT_PAYMENTS_PORT = 8001;

export function readPaymentsConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ...addressSettings('PAYMENTS', DEFAULT_PAYMENTS_PORT),
      ...serviceSettings,
      CURRENCY: setting.currency(),
    },
    env,
  );
}
export type PaymentsConfig = ReturnType<typeof readPaymentsConfig>;
