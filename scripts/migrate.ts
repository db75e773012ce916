// Applies the services' and the gateway's migrations and exits: run once before replicas start (docker-compose does).
import { openGatewayDatabase } from '../services/gateway/database.ts';
import { openOrdersDatabase } from '../services/orders/database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { readConfig, setting } from '../lib/config.ts';

const config = readConfig({ PAYMENTS_DATABASE_URL: setting.postgresUrl(), ORDERS_DATABASE_URL: setting.postgresUrl(), GATEWAY_DATABASE_URL: setting.postgresUrl() });
for (const [name, open, url] of [
  ['payments', openPaymentsDatabase, config.PAYMENTS_DATABASE_URL],
  ['orders', openOrdersDatabase, config.ORDERS_DATABASE_URL],
  ['gateway', openGatewayDatabase, config.GATEWAY_DATABASE_URL],
] as const) {
  const orm = await open(url, 1);
  await orm.close();
  console.log(`${name}: migrations applied`);
}
