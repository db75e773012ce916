import type { MigrationObject } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type Options } from '@mikro-orm/postgresql';

export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  entities: NonNullable<Options['entities']>;
  /** The service's migrations, oldest first: the only way its schema changes. */
  migrations: MigrationObject[];
}

/** Connects to a service's own database, creating it if it is missing, and applies its migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  const orm = new MikroORM({
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations, snapshot: false, silent: true },
    pool: { min: 0, max: 20 },
    allowGlobalContext: false,
  });
  await orm.schema.ensureDatabase();
  await orm.migrator.up();
  return orm;
}
