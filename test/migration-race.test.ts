import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { freshDatabaseUrl } from './helpers/database-url.ts';

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
