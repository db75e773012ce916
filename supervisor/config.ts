import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { CLUSTER_REPLICAS, defaultPort, PORT_SETTINGS, type PortSetting } from './programs.ts';

/** Every program's ports, each with its default from the registry of programs. */
const ports = Object.fromEntries(PORT_SETTINGS.map((name) => [name, setting.port(defaultPort(name))])) as Record<PortSetting, ReturnType<typeof setting.port>>;

/** Its own settings, and how the programs reach Temporal: a server of the user's, or the dev server it runs when none is named. */
export function readSupervisorConfig(env: NodeJS.ProcessEnv = process.env) {
  const config = readConfig(
    {
      DATA_DIR: z.string().min(1).default('.data'),
      ...ports,
      PAYMENTS_DATABASE_URL: setting.postgresUrl().optional(),
      ORDERS_DATABASE_URL: setting.postgresUrl().optional(),
      GATEWAY_DATABASE_URL: setting.postgresUrl().optional(),
      JWT_SECRET: setting.secret().optional(),
      INTERNAL_TOKEN: setting.secret().optional(),
      /** Runs a trace viewer (Jaeger) and has every program export its traces to it. */
      TRACE_VIEWER: z.enum(['true', 'false']).default('false').transform((value) => value === 'true'),
      /** How many copies of each worker (both Temporal workers, the relay) `npm run start:cluster` runs: the bench measures 1 against 2. */
      CLUSTER_WORKER_REPLICAS: z.coerce.number().int().min(1).max(CLUSTER_REPLICAS).default(CLUSTER_REPLICAS),
      /** How long the whole start may take before it fails with the reason. */
      START_TIMEOUT_MS: setting.milliseconds(120_000),
    },
    env,
  );
  // zod keeps the names of the ports it was given, not the pattern of a later copy's (GATEWAY_PORT_2).
  const temporal = readTemporalConnection(env);
  return { ...config, temporal } as typeof config & { temporal: typeof temporal } & Record<PortSetting, number>;
}
export type SupervisorConfig = ReturnType<typeof readSupervisorConfig>;
