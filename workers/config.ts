import type { z } from 'zod';
import { programSettings, readConfig, setting } from '../lib/config.ts';
import { readTemporalConnection, type TemporalConnection } from '../lib/temporal/connection-config.ts';

/** What every worker process reads, whatever its side: how it logs, its pool, and how it reaches Temporal. */
export type WorkerConfig = z.infer<z.ZodObject<typeof programSettings>> & { DATABASE_POOL_SIZE: number; temporal: TemporalConnection };

/** A worker's own settings, and the Temporal connection every worker shares. */
function withTemporal<Config>(config: Config, env: NodeJS.ProcessEnv): Config & { temporal: TemporalConnection } {
  return { ...config, temporal: readTemporalConnection(env) };
}

export function readPaymentsWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig({ ...programSettings, PAYMENTS_DATABASE_URL: setting.postgresUrl(), DATABASE_POOL_SIZE: setting.poolSize() }, env);
  return withTemporal(config, env);
}

export function readOrdersWorkerConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig({ ...programSettings, ORDERS_DATABASE_URL: setting.postgresUrl(), DATABASE_POOL_SIZE: setting.poolSize() }, env);
  return withTemporal(config, env);
}

export function readOutboxRelayConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig(
    {
      ...programSettings,
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
  return withTemporal(config, env);
}
