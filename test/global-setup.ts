import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../supervisor/embedded-postgres.ts';
import { freePort } from '../harness/free-port.ts';

/**
 * One throw-away PostgreSQL server for the whole run, on a free port; each test file makes
 * databases of its own on it, so files never see each other's rows.
 */
export default async function globalSetup(): Promise<void> {
  await startTestPostgres('shop-test-pg-');
}

/** Starts the run's server in a new data folder in the temporary folder, whose name starts with `prefix`. */
export async function startTestPostgres(prefix: string): Promise<void> {
  const dataDir = await mkdtemp(join(tmpdir(), prefix));
  const postgres = await startEmbeddedPostgres({ dataDir, port: await freePort(), persistent: false });
  process.env.TEST_POSTGRES_URL = postgres.urlOf('postgres');
  (globalThis as { testPostgres?: typeof postgres }).testPostgres = postgres;
}
