import { Migrator } from '@mikro-orm/migrations';
import { MikroORM, type EntitySchema } from '@mikro-orm/postgresql';
import type { Migration } from '@mikro-orm/migrations';

export type Orm = MikroORM;

export interface DatabaseOptions {
  url: string;
  entities: EntitySchema<any, any>[];
  /** The service's migrations, oldest first: the only way its schema changes. */
  migrations: { name: string; class: new (...args: any[]) => Migration }[];
  poolSize?: number;
}

/** Connects to a service's own database, creating it if it is missing, and applies its migrations. */
export async function openDatabase(options: DatabaseOptions): Promise<Orm> {
  const orm = await MikroORM.init({
    clientUrl: options.url,
    entities: options.entities,
    extensions: [Migrator],
    migrations: { migrationsList: options.migrations, snapshot: false, silent: true },
    pool: { min: 0, max: options.poolSize ?? 20 },
    ensureDatabase: true,
    allowGlobalContext: false,
  });
  await orm.migrator.up();
  return orm;
}
