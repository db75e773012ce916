import { existsSync, readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { readGatewayConfig } from '../services/gateway/config.ts';
import { readOrdersConfig } from '../services/orders/config.ts';
import { readPaymentsConfig } from '../services/payments/config.ts';
import { APP_PROGRAMS } from '../supervisor/programs.ts';

// No Docker engine runs here: the compose file is checked for structure and for agreement with
// the programs' own configuration readers, which are what reject a bad setting at start-up.

interface ComposeService {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  healthcheck?: { test?: string[] };
  restart?: string;
  deploy?: { replicas?: number };
}

const root = new URL('../', import.meta.url);
const compose = parse(readFileSync(new URL('docker-compose.yml', root), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;

/** What compose would pass, with `${VAR:?…}` and `${VAR:-default}` filled in as a user would. */
function environmentOf(name: string): NodeJS.ProcessEnv {
  const secret = 's'.repeat(40);
  return Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [
      key,
      value.replace(/\$\{(\w+):([?-])([^}]*)\}/g, (_, _name: string, kind: string, fallback: string) => (kind === '-' ? fallback : secret)),
    ]),
  );
}

/** The programs the image runs, from the registry `npm start` runs too, by their compose service names. */
const PROGRAMS = Object.fromEntries(APP_PROGRAMS.map((program) => [program.name, program]));

test('every service has an image or a build, and the build has its Dockerfile', () => {
  for (const [name, service] of Object.entries(services)) {
    expect([name, Boolean(service.image ?? service.build)]).toEqual([name, true]);
    if (service.build) expect(existsSync(new URL(`${service.build}/Dockerfile`, root))).toBe(true);
  }
});

test('the image runs every program of the registry, and no other', () => {
  const programs = Object.entries(services).filter(([, service]) => service.build === '.' && !service.command?.[1]?.startsWith('scripts/'));
  expect(programs.map(([name]) => name).sort()).toEqual(Object.keys(PROGRAMS).sort());
});

test.each(Object.entries(PROGRAMS))('%s runs its own entry point with a configuration it accepts', (name, program) => {
  const service = services[name];
  expect(service?.build).toBe('.');
  expect(service?.command).toEqual(['node', program.entry]);
  expect(existsSync(new URL(program.entry, root))).toBe(true);
  expect(() => program.readConfig?.(environmentOf(name))).not.toThrow();
  expect(service?.restart).toBe('unless-stopped');
});

test('HTTP services listen on all interfaces, on the ports the gateway is pointed at, with health checks', () => {
  const gateway = environmentOf('gateway');
  const payments = readPaymentsConfig(environmentOf('payments'));
  const orders = readOrdersConfig(environmentOf('orders'));
  expect(payments.PAYMENTS_HOST).toBe('0.0.0.0');
  expect(orders.ORDERS_HOST).toBe('0.0.0.0');
  expect(gateway.PAYMENTS_URL).toBe(`http://payments:${payments.PAYMENTS_PORT}`);
  expect(gateway.ORDERS_URL).toBe(`http://orders:${orders.ORDERS_PORT}`);
  for (const name of ['gateway', 'payments', 'orders']) expect(services[name]?.healthcheck).toBeDefined();
});

test('only the gateway is published to the world, and the Temporal Web UI (no sign-in) to the host itself', () => {
  const published = Object.entries(services).flatMap(([name, service]) => (service.ports ?? []).map((port) => `${name} ${port}`));
  expect(published.sort()).toEqual([`gateway ${readGatewayConfig(environmentOf('gateway')).GATEWAY_PORT}:8000`, 'temporal-ui 127.0.0.1:8233:8080']);
});

test('every dependency names a service, and the programs wait for the migrations', () => {
  for (const [name, service] of Object.entries(services)) {
    const dependencies = Array.isArray(service.depends_on) ? service.depends_on : Object.keys(service.depends_on ?? {});
    for (const dependency of dependencies) expect([name, dependency in services]).toEqual([name, true]);
  }
  for (const name of Object.keys(PROGRAMS)) {
    expect(services[name]?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
  }
  expect(services['migrate']?.command).toEqual(['node', 'scripts/migrate.ts']);
});

test('every program serves metrics on an unpublished port of its own, apart from its API port', () => {
  const published = Object.values(services).flatMap((service) => service.ports ?? []);
  for (const name of ['gateway', 'payments', 'orders', 'payments-worker', 'orders-worker', 'outbox-relay']) {
    const address = environmentOf(name)['METRICS_ADDRESS'] ?? '';
    const port = address.split(':')[1];
    expect([name, address]).toEqual([name, '0.0.0.0:9464']);
    expect(published.filter((mapping) => mapping.endsWith(`:${port ?? ''}`))).toEqual([]);
  }
  const gateway = readGatewayConfig(environmentOf('gateway'));
  expect(gateway.GATEWAY_PORT).not.toBe(9464);
});

test('the workers and the relay are health-checked on their metrics port, the others on their API port', () => {
  for (const name of ['payments-worker', 'orders-worker', 'outbox-relay']) {
    expect([name, services[name]?.healthcheck?.test?.join(' ')]).toEqual([name, expect.stringContaining('http://127.0.0.1:9464/readyz')]);
  }
  for (const name of ['gateway', 'payments', 'orders']) expect([name, services[name]?.healthcheck?.test?.join(' ')]).toEqual([name, expect.stringContaining('/readyz')]);
});

test('the gateway has a database of its own for the limits, migrated before it starts', () => {
  const gatewayDatabase = new URL(readGatewayConfig(environmentOf('gateway')).GATEWAY_DATABASE_URL).pathname;
  expect(gatewayDatabase).toBe('/gateway');
  expect(environmentOf('migrate')['GATEWAY_DATABASE_URL']).toBe(readGatewayConfig(environmentOf('gateway')).GATEWAY_DATABASE_URL);
});

test('the workers and the relay run as several replicas', () => {
  for (const name of ['payments-worker', 'orders-worker', 'outbox-relay']) expect(services[name]?.deploy?.replicas).toBeGreaterThan(1);
});

test('the Dockerfile is multi-stage and runs as a non-root user', () => {
  const dockerfile = readFileSync(new URL('Dockerfile', root), 'utf8');
  expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
  expect(dockerfile).toMatch(/^USER node$/m);
});

test("every connection the stack can open fits under PostgreSQL's max_connections", () => {
  let total = 0;
  for (const [name, program] of Object.entries(PROGRAMS)) {
    if (program.connectionsBesidePool === undefined) continue;
    const { DATABASE_POOL_SIZE } = program.readConfig?.(environmentOf(name)) as { DATABASE_POOL_SIZE: number };
    expect([name, DATABASE_POOL_SIZE]).toEqual([name, expect.any(Number)]);
    total += (services[name]?.deploy?.replicas ?? 1) * (DATABASE_POOL_SIZE + program.connectionsBesidePool);
  }
  // Temporal runs four services in its container, each with a pool for its store and one for
  // visibility (20 and 10 when unset).
  const temporal = environmentOf('temporal');
  total += 4 * (Number(temporal.SQL_MAX_CONNS ?? 20) + Number(temporal.SQL_VIS_MAX_CONNS ?? 10));

  const command = services['postgres']?.command ?? [];
  const maxConnections = Number(command.find((flag) => flag.startsWith('max_connections='))?.split('=')[1] ?? 100);
  const superuserReserved = 3;
  expect(total).toBeLessThanOrEqual(maxConnections - superuserReserved);
});
