import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { promisify } from 'node:util';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { MIGRATION_LOCK } from '../lib/database/open-database.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';

const run = promisify(execFile);

/** Opens the database in a process of its own, the way every service and worker does on start. */
function openInAProcess(module: string, opener: string, url: string) {
  const script = `const { ${opener} } = await import(${JSON.stringify(new URL(module, import.meta.url).href)});
    const orm = await ${opener}(${JSON.stringify(url)}, 2); await orm.close();`;
  return run(process.execPath, ['--input-type=module', '-e', script], { timeout: 50_000 });
}

test.each([
  ['orders', '../services/orders/database.ts', 'openOrdersDatabase', openOrdersDatabase],
  ['payments', '../services/payments/database.ts', 'openPaymentsDatabase', openPaymentsDatabase],
] as const)('three processes opening one fresh %s database at once all succeed and migrate it once', async (name, module, opener, open) => {
  const url = freshDatabaseUrl(`${name}_race`);
  const results = await Promise.allSettled([1, 2, 3].map(() => openInAProcess(module, opener, url)));
  expect(results.map((result) => (result.status === 'rejected' ? String(result.reason).slice(0, 600) : 'ok'))).toEqual(['ok', 'ok', 'ok']);

  const orm = await open(url, 2);
  try {
    expect(await orm.migrator.getPending()).toEqual([]);
    const [row] = await orm.em.fork().execute<{ n: string }[]>('select count(*) as n from mikro_orm_migrations');
    expect(Number(row?.n)).toBe((await orm.migrator.getExecuted()).length);
  } finally {
    await orm.close();
  }
});

test('a process that dies holding the migration lock does not hold back the next: PostgreSQL drops the lock with its connection', async () => {
  const url = freshDatabaseUrl('orders_crashed_holder');
  const management = new URL(url);
  management.pathname = '/postgres';
  // Holds the lock that creating a database takes first, and never lets go: as if it hung mid-migration.
  const script = `const { withAdvisoryLock } = await import(${JSON.stringify(new URL('../lib/database/advisory-lock.ts', import.meta.url).href)});
    await withAdvisoryLock(${JSON.stringify(management.toString())}, ${JSON.stringify(MIGRATION_LOCK)}, () => { console.log('locked'); return new Promise(() => {}); });`;
  const holder = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  await once(holder.stdout, 'data');

  let opened = false;
  const opening = openOrdersDatabase(url, 2).then((orm) => {
    opened = true;
    return orm;
  });
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(opened).toBe(false);
  holder.kill('SIGKILL');
  const orm = await opening;
  await orm.close();
}, 30_000);
