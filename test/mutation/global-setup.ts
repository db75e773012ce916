import { startTestPostgres } from '../global-setup.ts';
import { dataDirPrefix } from './runner-postgres.ts';

/**
 * Stryker runs Jest once per mutant, many times in one process: the PostgreSQL server of the
 * first run stays up for the later ones (starting one per mutant would cost seconds each). Each
 * run's databases go in its teardown (global-teardown.ts), so the disk does not fill up.
 */
export default async function mutationGlobalSetup(): Promise<void> {
  if (!process.env.TEST_POSTGRES_URL) await startTestPostgres(dataDirPrefix());
}
