import { z } from 'zod';
import { addressSettings, readConfig, serviceSettings, setting } from '../../lib/config.ts';
import { DEFAULT_ORDERS_PORT } from '../orders/config.ts';
import { DEFAULT_PAYMENTS_PORT } from '../payments/config.ts';

/** Its port when none is set; `npm start` uses it too. */
export const DEFAULT_GATEWAY_PORT = 8000;

export function readGatewayConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ...addressSettings('GATEWAY', DEFAULT_GATEWAY_PORT),
      ...serviceSettings,
      // Each a list of the service's instances, comma-separated: requests are spread over them.
      PAYMENTS_URL: setting.serviceUrls(`http://127.0.0.1:${DEFAULT_PAYMENTS_PORT}`),
      ORDERS_URL: setting.serviceUrls(`http://127.0.0.1:${DEFAULT_ORDERS_PORT}`),
      JWT_SECRET: setting.secret(),
      UPSTREAM_TIMEOUT_MS: setting.milliseconds(5_000),
      /** How long an instance that refused a connection is passed over before it is tried again. */
      UPSTREAM_SKIP_DEAD_MS: setting.milliseconds(5_000),
      RATE_LIMIT_WINDOW_SECONDS: setting.positiveInt(60),
      RATE_LIMIT_PER_ADDRESS: setting.limit(1_200),
      RATE_LIMIT_PER_USER: setting.limit(600),
      EVENT_STREAMS_PER_USER: setting.limit(5),
      TEMPORAL_UI_URL: setting.url('http://localhost:8233'),
      TEMPORAL_NAMESPACE: setting.temporalNamespace(),
      DEV_SIGN_IN: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
    },
    env,
  );
}
/** The settings that turn the request limits off (not the cap on event streams): for load tests. */
export const WITHOUT_RATE_LIMITS = { RATE_LIMIT_PER_ADDRESS: '0', RATE_LIMIT_PER_USER: '0' };

export type GatewayConfig = ReturnType<typeof readGatewayConfig>;
