import type { RunningPostgres } from '../supervisor/embedded-postgres.ts';

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { testPostgres?: RunningPostgres }).testPostgres?.stop();
}
