import type { RunningPostgres } from '../lib/database/embedded-postgres.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { testPostgres?: RunningPostgres }).testPostgres?.stop();
}
