import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { parse } from 'yaml';
import { freePort } from '../harness/free-port.ts';
import { startStack } from '../harness/stack.ts';
import { STOP_DEADLINE_MS } from '../lib/main.ts';
import { NAMESPACE_RETENTION, SEARCH_ATTRIBUTE_SPECS, TEMPORAL_SERVER_VERSION } from '../ops/temporal/server.ts';
import { readGatewayConfig } from '../services/gateway/config.ts';
import { readOrdersConfig } from '../services/orders/config.ts';
import { readPaymentsConfig } from '../services/payments/config.ts';
import { startEmbeddedPostgres } from '../supervisor/embedded-postgres.ts';
import { APP_PROGRAMS } from '../supervisor/programs.ts';
import { findTemporalCli } from '../supervisor/temporal-cli.ts';

// No Docker engine runs here: the compose file is checked for structure and for agreement with
// the programs' own configuration readers, which are what reject a bad setting at start-up, with
// the Temporal release and setup steps of ops/temporal/, and what it runs that can run natively
// (its database roles' init script, its namespace setup, its health checks) is run.

const run = promisify(execFile);

interface ComposeService {
  image?: string;
  build?: string;
  pull_policy?: string;
  init?: boolean;
  stop_grace_period?: string;
  command?: string[];
  entrypoint?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }> | string[];
  ports?: string[];
  volumes?: string[];
  healthcheck?: { test?: string[] };
  restart?: string;
  deploy?: { replicas?: number };
}

const root = fileURLToPath(new URL('../', import.meta.url));
const composeText = readFileSync(join(root, 'docker-compose.yml'), 'utf8');
const compose = parse(composeText, { merge: true }) as { services: Record<string, ComposeService> };
const services = compose.services;
const SECRET = 's'.repeat(40);

/** What compose would pass, with `${VAR:?…}` filled in as a user would (with `secrets` where given). */
function environmentOf(name: string, secrets: Record<string, string> = {}): Record<string, string> {
  return Object.fromEntries(
    Object.entries(services[name]?.environment ?? {}).map(([key, value]) => [key, value.replace(/\$\{(\w+):\?[^}]*\}/g, (_, variable: string) => secrets[variable] ?? SECRET)]),
  );
}

/**
 * A Go tool of Temporal's release in the cache where the cluster mode keeps what it builds
 * (~/.cache/shop-payments/<name>-v<version>/): it builds them before this test can run them.
 */
function cachedTool(name: string, executable: string): string {
  const path = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shop-payments', `${name}-v${TEMPORAL_SERVER_VERSION}`, executable);
  if (!existsSync(path)) throw new Error(`${path} is missing: the cluster mode's Temporal tools are built first (npm run start:cluster, or .ci/run)`);
  return path;
}

const dependenciesOf = (service: ComposeService | undefined) => (Array.isArray(service?.depends_on) ? service.depends_on : Object.keys(service?.depends_on ?? {}));

/** The programs the image runs, from the registry `npm start` runs too, by their compose service names. */
const PROGRAMS = Object.fromEntries(APP_PROGRAMS.map((program) => [program.name, program]));
/** The one service that builds the project's image. */
const [builder, ...otherBuilders] = Object.entries(services).filter(([, service]) => service.build);

test('one service builds the image, once; every other service runs it as built, never pulled', () => {
  expect(otherBuilders).toEqual([]);
  const [builderName, builderService] = builder ?? [];
  expect(builderName).toBe('migrate');
  expect(existsSync(join(root, builderService?.build ?? '', 'Dockerfile'))).toBe(true);
  const image = builderService?.image;
  for (const [name, service] of Object.entries(services)) {
    expect([name, Boolean(service.image)]).toEqual([name, true]);
    if (service.image !== image || name === builderName) continue;
    expect([name, service.pull_policy, dependenciesOf(service).includes(builderName ?? '')]).toEqual([name, 'never', true]);
  }
});

test('the image runs every program of the registry, and no other', () => {
  const programs = Object.entries(services).filter(([, service]) => service.image === builder?.[1].image && !service.command?.[1]?.startsWith('scripts/'));
  expect(programs.map(([name]) => name).sort()).toEqual(Object.keys(PROGRAMS).sort());
});

test.each(Object.entries(PROGRAMS))('%s runs its own entry point with a configuration it accepts and reads whole', (name, program) => {
  const service = services[name];
  expect(service?.command).toEqual(['node', program.entry]);
  expect(existsSync(join(root, program.entry))).toBe(true);
  const env = environmentOf(name);
  const config = JSON.stringify(program.readConfig?.(env));
  // Every variable compose sets is one the program reads: a misspelt or retired name changes nothing and would go unseen.
  for (const variable of Object.keys(env)) {
    let changed: boolean;
    try {
      changed = JSON.stringify(program.readConfig?.({ ...env, [variable]: `${env[variable] ?? ''}-changed` })) !== config;
    } catch {
      changed = true;
    }
    expect([name, variable, changed]).toEqual([name, variable, true]);
  }
  expect(service?.restart).toBe('unless-stopped');
});

test('every program stops under an init, and compose waits longer than the program takes to drain', () => {
  for (const name of [...Object.keys(PROGRAMS), 'migrate']) expect([name, services[name]?.init]).toEqual([name, true]);
  for (const name of Object.keys(PROGRAMS)) {
    const grace = /^(\d+)s$/.exec(services[name]?.stop_grace_period ?? '');
    expect([name, Number(grace?.[1]) * 1_000]).toEqual([name, expect.any(Number)]);
    expect(Number(grace?.[1]) * 1_000).toBeGreaterThan(STOP_DEADLINE_MS);
  }
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

test("the services' health check, run as compose runs it, passes against each running service", async () => {
  const stack = await startStack();
  try {
    for (const [name, url, variable] of [
      ['payments', stack.paymentsUrl, 'PAYMENTS_PORT'],
      ['orders', stack.ordersUrl, 'ORDERS_PORT'],
      ['gateway', stack.gatewayUrl, 'GATEWAY_PORT'],
    ] as const) {
      const [kind, command = '', ...args] = services[name]?.healthcheck?.test ?? [];
      expect(kind).toBe('CMD');
      // Only the service's own port setting, as in its container.
      await expect(run(command === 'node' ? process.execPath : command, args, { env: { [variable]: new URL(url).port } })).resolves.toBeDefined();
    }
  } finally {
    await stack.stop();
  }
}, 60_000);

test('only the gateway is published to the world, and the Temporal Web UI (no sign-in) to the host itself, read-only', () => {
  const published = Object.entries(services).flatMap(([name, service]) => (service.ports ?? []).map((port) => `${name} ${port}`));
  expect(published.sort()).toEqual([`gateway ${readGatewayConfig(environmentOf('gateway')).GATEWAY_PORT}:8000`, 'temporal-ui 127.0.0.1:8233:8080']);
  // The temporalio/ui image's names (its config template): no cancel, terminate, signal, reset or start.
  expect(environmentOf('temporal-ui')).toMatchObject({ TEMPORAL_DISABLE_WRITE_ACTIONS: 'true', TEMPORAL_CORS_ORIGINS: expect.stringContaining('http://localhost:8233') });
  // The gateway's storefront links each payment to the UI as published.
  expect(new URL(readGatewayConfig(environmentOf('gateway')).TEMPORAL_UI_URL).port).toBe('8233');
});

test('every dependency names a service, and the programs wait for the migrations and Temporal for its schema', () => {
  for (const [name, service] of Object.entries(services)) {
    for (const dependency of dependenciesOf(service)) expect([name, dependency in services]).toEqual([name, true]);
  }
  for (const name of Object.keys(PROGRAMS)) {
    expect(services[name]?.depends_on).toMatchObject({ migrate: { condition: 'service_completed_successfully' } });
  }
  for (const name of ['payments-worker', 'orders-worker', 'outbox-relay']) {
    expect(services[name]?.depends_on).toMatchObject({ 'temporal-setup': { condition: 'service_completed_successfully' } });
  }
  expect(services['temporal']?.depends_on).toEqual({ 'temporal-schema': { condition: 'service_completed_successfully' } });
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
  expect(readGatewayConfig(environmentOf('gateway')).GATEWAY_PORT).not.toBe(9464);
});

test('the workers and the relay are health-checked on their metrics port, the others on their API port', () => {
  for (const name of ['payments-worker', 'orders-worker', 'outbox-relay']) {
    expect([name, services[name]?.healthcheck?.test?.join(' ')]).toEqual([name, expect.stringContaining('http://127.0.0.1:9464/readyz')]);
  }
  for (const name of ['gateway', 'payments', 'orders']) expect([name, services[name]?.healthcheck?.test?.join(' ')]).toEqual([name, expect.stringContaining('/readyz')]);
});

test('the gateway has a database of its own for the limits, migrated before it starts', () => {
  const gatewayDatabase = readGatewayConfig(environmentOf('gateway')).GATEWAY_DATABASE_URL;
  expect(new URL(gatewayDatabase).pathname).toBe('/gateway');
  expect(environmentOf('migrate')['GATEWAY_DATABASE_URL']).toBe(gatewayDatabase);
});

test('the workers and the relay run as several replicas', () => {
  for (const name of ['payments-worker', 'orders-worker', 'outbox-relay']) expect(services[name]?.deploy?.replicas).toBeGreaterThan(1);
});

test('the Dockerfile is multi-stage and runs as a non-root user', () => {
  const dockerfile = readFileSync(join(root, 'Dockerfile'), 'utf8');
  expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
  expect(dockerfile).toMatch(/^USER node$/m);
});

test('no secret has a default: every one must be given, or compose refuses to start', () => {
  expect(composeText).not.toMatch(/\$\{\w+:?-/);
  expect(environmentOf('postgres', {})).toMatchObject({ POSTGRES_PASSWORD: SECRET });
  expect(services['postgres']?.environment?.['POSTGRES_PASSWORD']).toMatch(/^\$\{POSTGRES_PASSWORD:\?/);
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
  total += 4 * (Number(temporal['SQL_MAX_CONNS'] ?? 20) + Number(temporal['SQL_VIS_MAX_CONNS'] ?? 10));

  const command = services['postgres']?.command ?? [];
  const maxConnections = Number(command.find((flag) => flag.startsWith('max_connections='))?.split('=')[1] ?? 100);
  const superuserReserved = 3;
  expect(total).toBeLessThanOrEqual(maxConnections - superuserReserved);
});

describe('Temporal', () => {
  test(`runs release ${TEMPORAL_SERVER_VERSION} (ops/temporal/server.ts), its server and its admin tools alike`, () => {
    const temporalImages = Object.values(services).flatMap((service) => (service.image?.startsWith('temporalio/') && !service.image.startsWith('temporalio/ui:') ? [service.image] : []));
    expect(new Set(temporalImages)).toEqual(new Set([`temporalio/server:${TEMPORAL_SERVER_VERSION}`, `temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`]));
    expect(composeText).not.toMatch(/temporalio\/auto-setup/);
  });

  test("sets up its schema and its namespace with ops/temporal/'s scripts, mounted from the repository", () => {
    for (const [name, script] of [
      ['temporal-schema', 'setup-schema.sh'],
      ['temporal-setup', 'setup-namespace.sh'],
    ] as const) {
      const service = services[name];
      expect(service?.image).toBe(`temporalio/admin-tools:${TEMPORAL_SERVER_VERSION}`);
      expect(service?.volumes).toContain('./ops/temporal:/ops/temporal:ro');
      expect(service?.entrypoint).toEqual(['/bin/sh', `/ops/temporal/${script}`]);
      expect(existsSync(join(root, 'ops', 'temporal', script))).toBe(true);
    }
    // The server's own file: it does not start without one, and the image has none.
    const [file, mountedAt] = (services['temporal']?.volumes?.[0] ?? '').split(':');
    expect(existsSync(join(root, file ?? ''))).toBe(true);
    expect(environmentOf('temporal')['DYNAMIC_CONFIG_FILE_PATH']).toBe(mountedAt);
  });

  test('the namespace it sets up is the one every program uses, with the search attributes the workflow sets', () => {
    const setup = environmentOf('temporal-setup');
    expect(setup).toMatchObject({ SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTE_SPECS.join(' '), NAMESPACE_RETENTION });
    for (const name of ['payments-worker', 'orders-worker', 'outbox-relay', 'gateway']) {
      // The workers and the relay connect with it (their Temporal connection); the gateway links the Web UI to it.
      const config = PROGRAMS[name]?.readConfig?.(environmentOf(name)) as { temporal?: { namespace: string }; TEMPORAL_NAMESPACE?: string };
      expect([name, config.temporal?.namespace ?? config.TEMPORAL_NAMESPACE]).toEqual([name, setup['TEMPORAL_NAMESPACE']]);
    }
  });
});

describe('PostgreSQL', () => {
  const PASSWORDS = { PAYMENTS_DB_PASSWORD: 'payments-secret', ORDERS_DB_PASSWORD: 'orders-secret', GATEWAY_DB_PASSWORD: 'gateway-secret', TEMPORAL_DB_PASSWORD: 'temporal-secret' };
  let postgres: Awaited<ReturnType<typeof startEmbeddedPostgres>>;
  let dataDir: string;
  let port: number;
  /** A compose URL (host `postgres`) pointed at this test's server. */
  const here = (url: string) => Object.assign(new URL(url), { hostname: '127.0.0.1', port: String(port) }).toString();

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'shop-compose-pg-'));
    port = await freePort();
    postgres = await startEmbeddedPostgres({ dataDir, port, persistent: false });
    // As the postgres image runs its init scripts: psql, as the superuser, with the service's environment.
    const script = (services['postgres']?.volumes ?? []).find((volume) => volume.includes('/docker-entrypoint-initdb.d/'))?.split(':')[0] ?? '';
    await run('psql', ['-v', 'ON_ERROR_STOP=1', '--no-psqlrc', '-f', join(root, script), postgres.urlOf('postgres')], { env: { ...process.env, ...environmentOf('postgres', PASSWORDS) } });
  }, 60_000);

  afterAll(async () => {
    await postgres.stop();
    await rm(dataDir, { recursive: true, force: true });
  });

  test("the health check asks over TCP: the image's init phase listens on the socket only", async () => {
    const [kind, command, ...args] = services['postgres']?.healthcheck?.test ?? [];
    expect([kind, command]).toEqual(['CMD', 'pg_isready']);
    expect(args[args.indexOf('-h') + 1]).toBe('127.0.0.1');
    await expect(run('pg_isready', [...args, '-p', String(port)])).resolves.toBeDefined();
  });

  test('the migrations run as the roles compose gives the programs, none of them a superuser', async () => {
    const env = Object.fromEntries(Object.entries(environmentOf('migrate', PASSWORDS)).map(([key, url]) => [key, here(url)]));
    await run(process.execPath, [join(root, 'scripts', 'migrate.ts')], { env: { PATH: process.env.PATH ?? '', ...env } });
    const admin = new pg.Client({ connectionString: postgres.urlOf('postgres') });
    await admin.connect();
    try {
      const { rows } = await admin.query<{ rolname: string; rolsuper: boolean; rolcreaterole: boolean }>("select rolname, rolsuper, rolcreaterole from pg_roles where rolname in ('payments', 'orders', 'gateway', 'temporal') order by rolname");
      expect(rows).toEqual(['gateway', 'orders', 'payments', 'temporal'].map((rolname) => ({ rolname, rolsuper: false, rolcreaterole: false })));
    } finally {
      await admin.end();
    }
  }, 60_000);

  test.each([
    ['payments-worker', 'PAYMENTS_DATABASE_URL', '/orders'],
    ['orders-worker', 'ORDERS_DATABASE_URL', '/payments'],
    ['gateway', 'GATEWAY_DATABASE_URL', '/payments'],
  ])("%s's role reaches its own database and no other", async (name, variable, other) => {
    const own = here(environmentOf(name, PASSWORDS)[variable] ?? '');
    const client = new pg.Client({ connectionString: own });
    await client.connect();
    await client.end();
    const foreign = new pg.Client({ connectionString: Object.assign(new URL(own), { pathname: other }).toString() });
    await expect(foreign.connect()).rejects.toThrow(/permission denied for database/);
  });

  test(`Temporal ${TEMPORAL_SERVER_VERSION} as compose sets it up and runs it: schema by the SQL tool as its role, the server from its settings alone, then the namespace and its search attributes, each step again unchanged`, async () => {
    // The server and SQL tool of this release, as `go install` builds them into the cache (the
    // cluster mode's tools): the images' temporal-server and temporal-sql-tool, natively.
    const sqlTool = cachedTool('temporal-sql-tool', 'sql');
    const serverBinary = cachedTool('temporal-server', 'server');
    const schemaEnv = { ...environmentOf('temporal-schema', PASSWORDS), SQL_HOST: '127.0.0.1', SQL_PORT: String(port), TEMPORAL_SQL_TOOL: sqlTool, PATH: process.env.PATH ?? '' };
    for (let round = 0; round < 2; round++) await run('sh', [join(root, 'ops', 'temporal', 'setup-schema.sh')], { env: schemaEnv });

    // The server reads its whole configuration from the environment (the image's entrypoint runs `temporal-server start`).
    const ports = Object.fromEntries(
      await Promise.all(
        ['FRONTEND_GRPC_PORT', 'FRONTEND_MEMBERSHIP_PORT', 'FRONTEND_HTTP_PORT', 'HISTORY_GRPC_PORT', 'HISTORY_MEMBERSHIP_PORT', 'MATCHING_GRPC_PORT', 'MATCHING_MEMBERSHIP_PORT', 'WORKER_GRPC_PORT', 'WORKER_MEMBERSHIP_PORT'].map(async (name) => [name, String(await freePort())]),
      ),
    );
    const [dynamicConfig = ''] = (services['temporal']?.volumes?.[0] ?? '').split(':');
    const server = spawn(serverBinary, ['start'], {
      env: { ...environmentOf('temporal', PASSWORDS), POSTGRES_SEEDS: '127.0.0.1', DB_PORT: String(port), BIND_ON_IP: '127.0.0.1', DYNAMIC_CONFIG_FILE_PATH: join(root, dynamicConfig), LOG_LEVEL: 'warn', ...ports },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    const serverLog: string[] = [];
    server.stderr.on('data', (chunk: Buffer) => serverLog.push(chunk.toString()));
    try {
      const cli = findTemporalCli() ?? 'temporal';
      const address = `127.0.0.1:${ports['FRONTEND_GRPC_PORT'] ?? ''}`;
      const setupEnv = { ...environmentOf('temporal-setup'), TEMPORAL_ADDRESS: address, TEMPORAL_CLI: cli, PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' };
      for (let round = 0; round < 2; round++) {
        await run('sh', [join(root, 'ops', 'temporal', 'setup-namespace.sh')], { env: setupEnv }).catch((error: unknown) => {
          throw new Error(`setup-namespace.sh failed: ${String(error)}\nThe server said:\n${serverLog.join('').slice(-3_000)}`);
        });
      }
      const namespace = ['--namespace', environmentOf('temporal-setup')['TEMPORAL_NAMESPACE'] ?? '', '--address', address, '--output', 'json'];
      const described = JSON.parse((await run(cli, ['operator', 'namespace', 'describe', ...namespace], { env: setupEnv })).stdout) as { config: { workflowExecutionRetentionTtl: string } };
      expect(described.config.workflowExecutionRetentionTtl).toBe(`${Number.parseInt(NAMESPACE_RETENTION, 10) * 3_600}s`);
      const listed = JSON.parse((await run(cli, ['operator', 'search-attribute', 'list', ...namespace], { env: setupEnv })).stdout) as { customAttributes: Record<string, string> };
      expect(Object.keys(listed.customAttributes).sort()).toEqual(SEARCH_ATTRIBUTE_SPECS.map((spec) => spec.split('=')[0]).sort());
    } finally {
      const exited = once(server, 'exit');
      server.kill('SIGTERM');
      await exited;
    }
  }, 180_000);
});
