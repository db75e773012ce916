import type { Orm } from '../lib/database/open-database.ts';
import { openGatewayDatabase } from '../services/gateway/database.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { freshDatabaseUrl } from '../harness/database-url.ts';

describe.each([
  ['payments', openPaymentsDatabase],
  ['orders', openOrdersDatabase],
  ['gateway', openGatewayDatabase],
])('the %s database', (name, open) => {
  let orm: Orm;
  beforeAll(async () => {
    orm = await open(freshDatabaseUrl(`${name}_schema`), 2);
  });
  afterAll(() => orm.close());

  test('its migrations build exactly the schema its entities describe', async () => {
    expect(await orm.schema.getUpdateSchemaSQL({ wrap: false })).toBe('');
  });

  test('opening it again applies nothing again', async () => {
    expect(await orm.migrator.getPending()).toEqual([]);
  });
});
