import { z } from 'zod';
import { programSettings, readConfig, setting } from '../lib/config.ts';

const temporal = {
  TEMPORAL_ADDRESS: setting.hostPort().default('127.0.0.1:7233'),
  TEMPORAL_NAMESPACE: setting.temporalNamespace(),
  ...programSettings,
};

/** What every worker process reads, whatever its side. */
export type WorkerConfig = z.infer<z.ZodObject<typeof temporal>> & { DATABASE_POOL_SIZE: number };

export function readPaymentsWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig({ ...temporal, PAYMENTS_DATABASE_URL: setting.postgresUrl(), DATABASE_POOL_SIZE: setting.poolSize() }, env);
}

export function readOrdersWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig({ ...temporal, ORDERS_DATABASE_URL: setting.postgresUrl(), DATABASE_POOL_SIZE: setting.poolSize() }, env);
}

export function readOutboxRelayConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      ...temporal,
      ORDERS_DATABASE_URL: setting.postgresUrl(),
      DATABASE_POOL_SIZE: setting.poolSize(),
      OUTBOX_BATCH_SIZE: setting.positiveInt(50),
      OUTBOX_POLL_INTERVAL_MS: setting.milliseconds(1_000),
      OUTBOX_MAX_ATTEMPTS: setting.positiveInt(30),
      RECONCILE_AFTER_MS: setting.milliseconds(15 * 60_000),
      RECONCILE_INTERVAL_MS: setting.milliseconds(60_000),
    },
    env,
  );
}
