import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';
import pg from 'pg';
import { withAdvisoryLock } from './advisory-lock.ts';
import { releaseDeadConnections } from './release-dead-connections.ts';

export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  entities: NonNullable<Options['entities']>;
  /** The service's migrations, oldest first: the only way its schema changes. Each is recorded under its class's name. */
  migrations: MigrationObject['class'][];
  /** Connections in this process's pool (DATABASE_POOL_SIZE): its share of PostgreSQL's max_connections. */
  poolSize: number;
}

/** Every process that opens a database takes this lock around creating and migrating it. */
export const MIGRATION_LOCK = 'shop-payments:migrate';

/**
 * Connects to a service's own database, creating it if it is missing, and applies its migrations.
 * Every service, worker and relay does this on start; an advisory lock makes processes that start
 * together on a fresh database take turns, so the first migrates and the others find nothing to do.
 */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  await createDatabaseIfMissing(options.url);
  const orm = new MikroORM({
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations.map((migration) => ({ name: migration.name, class: migration })), snapshot: false, silent: true },
    pool: { min: 0, max: options.poolSize },
    allowGlobalContext: false,
  });
  try {
    releaseDeadConnections(await orm.em.getConnection().getNativeClient());
    await withAdvisoryLock(options.url, MIGRATION_LOCK, () => orm.migrator.up());
  } catch (error) {
    await orm.close();
    throw error;
  }
  return orm;
}

/** CREATE DATABASE has no IF NOT EXISTS: look and create under the lock, in the server's `postgres` database. */
async function createDatabaseIfMissing(url: string): Promise<void> {
  const management = new URL(url);
  const name = decodeURIComponent(management.pathname.slice(1));
  management.pathname = '/postgres';
  await withAdvisoryLock(management.toString(), MIGRATION_LOCK, async (client) => {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (rowCount === 0) await client.query(`create database ${pg.escapeIdentifier(name)}`);
  });
}
