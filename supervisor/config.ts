import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';

export function readSupervisorConfig(env: NodeJS.ProcessEnv = process.env) {
  return readConfig(
    {
      DATA_DIR: z.string().min(1).default('.data'),
      EMBEDDED_POSTGRES_PORT: setting.port(54_320),
      PAYMENTS_DATABASE_URL: setting.postgresUrl().optional(),
      GATEWAY_PORT: setting.port(8000),
      PAYMENTS_PORT: setting.port(8001),
      JWT_SECRET: setting.secret().optional(),
      INTERNAL_TOKEN: setting.secret().optional(),
    },
    env,
  );
}
