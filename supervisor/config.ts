import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';

export function readSupervisorConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      DATA_DIR: z.string().min(1).default('.data'),
      EMBEDDED_POSTGRES_PORT: setting.port(54_320),
      PAYMENTS_DATABASE_URL: setting.postgresUrl().optional(),
      ORDERS_DATABASE_URL: setting.postgresUrl().optional(),
      GATEWAY_DATABASE_URL: setting.postgresUrl().optional(),
      TEMPORAL_ADDRESS: setting.hostPort().optional(),
      TEMPORAL_PORT: setting.port(7233),
      TEMPORAL_UI_PORT: setting.port(8233),
      GATEWAY_PORT: setting.port(8000),
      PAYMENTS_PORT: setting.port(8001),
      ORDERS_PORT: setting.port(8002),
      // Metrics have ports of their own, on loopback: never the API's port.
      GATEWAY_METRICS_PORT: setting.port(9460),
      PAYMENTS_METRICS_PORT: setting.port(9461),
      ORDERS_METRICS_PORT: setting.port(9462),
      PAYMENTS_WORKER_METRICS_PORT: setting.port(9464),
      ORDERS_WORKER_METRICS_PORT: setting.port(9465),
      JWT_SECRET: setting.secret().optional(),
      INTERNAL_TOKEN: setting.secret().optional(),
      /** How long the whole start may take before it fails with the reason. */
      START_TIMEOUT_MS: setting.milliseconds(120_000),
    },
    env,
  );
}
export type SupervisorConfig = ReturnType<typeof readSupervisorConfig>;
