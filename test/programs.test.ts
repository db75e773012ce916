import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { readSupervisorConfig } from '../supervisor/config.ts';
import { childEnvironment, planFor, stagesOf } from '../supervisor/plan.ts';
import { APP_PROGRAMS, PORT_SETTINGS, PROGRAMS, type Program } from '../supervisor/programs.ts';

// The registry of programs is what `npm start` runs: every program in it, each child told every
// port explicitly, so none works only because its own default happens to match the supervisor's.

/** Ports unlike any default, so that a child falling back on a default of its own would show. */
const ports = Object.fromEntries(PORT_SETTINGS.map((setting, index) => [setting, 20_000 + index]));
const settings = {
  DATA_DIR: '/nonexistent/shop-data',
  JWT_SECRET: 'j'.repeat(40),
  INTERNAL_TOKEN: 'i'.repeat(40),
  // Every program of the registry runs: the trace viewer too.
  TRACE_VIEWER: 'true',
  ...Object.fromEntries(Object.entries(ports).map(([setting, port]) => [setting, String(port)])),
};
const config = readSupervisorConfig(settings);
const plan = planFor(config);
const specs = stagesOf(config, plan, childEnvironment(config, plan), { temporalCli: '/usr/bin/temporal' }).flat();

test('npm start runs every program of the registry but the cluster’s, once each, in the registry’s order', () => {
  expect(specs.map((spec) => spec.name)).toEqual(PROGRAMS.filter((program: Program) => program.mode !== 'cluster').map((program) => program.name));
});

test('every child is given every port of every program', () => {
  for (const spec of specs) {
    const given = Object.fromEntries(PORT_SETTINGS.map((setting) => [setting, Number(spec.env[setting])]));
    expect([spec.name, given]).toEqual([spec.name, ports]);
  }
});

test('each program reads, with its own configuration reader, the ports the supervisor chose for it', () => {
  for (const program of PROGRAMS) {
    const spec = specs.find((candidate) => candidate.name === program.name);
    if (!('readConfig' in program) || !spec) continue;
    const read = program.readConfig(spec.env) as Record<string, unknown>;
    for (const setting of Object.keys(program.ports).filter((name) => name in read)) {
      expect([program.name, setting, read[setting]]).toEqual([program.name, setting, ports[setting]]);
    }
    if ('metricsPort' in program) expect([program.name, read['METRICS_ADDRESS']]).toEqual([program.name, `127.0.0.1:${ports[program.metricsPort] ?? 0}`]);
  }
  const gateway = specs.find((spec) => spec.name === 'gateway');
  expect(gateway?.env['PAYMENTS_URL']).toBe(`http://127.0.0.1:${ports['PAYMENTS_PORT'] ?? 0}`);
  expect(gateway?.env['ORDERS_URL']).toBe(`http://127.0.0.1:${ports['ORDERS_PORT'] ?? 0}`);
});

describe('npm run start:cluster', () => {
  const clusterPlan = planFor(config, true);
  const clusterSpecs = stagesOf(config, clusterPlan, childEnvironment(config, clusterPlan), { temporalCli: '/usr/bin/temporal' }).flat();
  const portsOf = (spec: (typeof clusterSpecs)[number], program: (typeof PROGRAMS)[number]) => Object.keys(program.ports).map((setting) => Number(spec.env[setting]));

  test('runs PostgreSQL, two Temporal servers, the Web UI and two copies of every program, each copy on ports of its own', () => {
    expect(clusterSpecs.map((spec) => spec.name).sort()).toEqual(
      [
        'postgres',
        'temporal-ui',
        // The config asks for the trace viewer (TRACE_VIEWER): one, as under npm start.
        'trace-viewer',
        ...['temporal-server', 'payments', 'orders', 'payments-worker', 'orders-worker', 'outbox-relay', 'gateway'].flatMap((name) => [`${name}-1`, `${name}-2`]),
      ].sort(),
    );
    const taken = clusterSpecs.flatMap((spec) => {
      const program = PROGRAMS.find((candidate) => spec.name === candidate.name || spec.name.replace(/-\d+$/, '') === candidate.name);
      return program ? portsOf(spec, program) : [];
    });
    expect(new Set(taken).size).toBe(taken.length);
  });

  test('the gateways are given every copy of each service, and every program the cluster’s certificates; the copies use the two servers in turn', () => {
    const gateway = clusterSpecs.find((spec) => spec.name === 'gateway-2');
    expect(gateway?.env['PAYMENTS_URL']).toBe(`http://127.0.0.1:${ports['PAYMENTS_PORT'] ?? 0},http://127.0.0.1:${ports['PAYMENTS_PORT_2'] ?? 0}`);
    expect(gateway?.env['ORDERS_URL']).toBe(`http://127.0.0.1:${ports['ORDERS_PORT'] ?? 0},http://127.0.0.1:${ports['ORDERS_PORT_2'] ?? 0}`);
    const relays = clusterSpecs.filter((spec) => spec.name.startsWith('outbox-relay-'));
    expect(relays.map((spec) => spec.env['TEMPORAL_ADDRESS'])).toEqual([`127.0.0.1:${ports['TEMPORAL_PORT'] ?? 0}`, `127.0.0.1:${ports['TEMPORAL_PORT_2'] ?? 0}`]);
    for (const spec of relays) {
      expect(spec.env['TEMPORAL_TLS_SERVER_CA_CERT_PATH']).toBe('/nonexistent/shop-data/temporal-tls/ca.pem');
      expect(spec.env['TEMPORAL_TLS_CLIENT_CERT_PATH']).toBe('/nonexistent/shop-data/temporal-tls/client.pem');
      expect(spec.env['TEMPORAL_TLS_CLIENT_KEY_PATH']).toBe('/nonexistent/shop-data/temporal-tls/client-key.pem');
      expect(spec.env['TEMPORAL_TLS_SERVER_NAME']).toBe('localhost');
    }
  });

  test('CLUSTER_WORKER_REPLICAS=1 runs one copy of each worker and of the relay, and still two of everything else (the bench measures 1 against 2)', () => {
    const oneWorkerConfig = readSupervisorConfig({ ...settings, CLUSTER_WORKER_REPLICAS: '1' });
    const onePlan = planFor(oneWorkerConfig, true);
    const names = stagesOf(oneWorkerConfig, onePlan, childEnvironment(oneWorkerConfig, onePlan), { temporalCli: '/usr/bin/temporal' })
      .flat()
      .map((spec) => spec.name);
    expect(names.filter((name) => /worker|relay/.test(name)).sort()).toEqual(['orders-worker', 'outbox-relay', 'payments-worker']);
    expect(names.filter((name) => /^(gateway|payments|orders|temporal-server)-\d$/.test(name)).length).toBe(8);
    expect(() => readSupervisorConfig({ CLUSTER_WORKER_REPLICAS: '3' })).toThrow(/CLUSTER_WORKER_REPLICAS/);
  });
});

test('a Temporal server of the cluster refuses a membership port above 32767 at once, naming it (Temporal stores it as smallint and would fail later)', async () => {
  const settings = {
    DATA_DIR: '/nonexistent/shop-data',
    TEMPORAL_SERVER_PATH: '/nonexistent/server',
    TEMPORAL_SQL_TOOL_PATH: '/nonexistent/sql',
    TEMPORAL_CLI_PATH: '/nonexistent/temporal',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem',
    TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem',
    TEMPORAL_TLS_CLIENT_KEY_PATH: '/nonexistent/client-key.pem',
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
    TEMPORAL_FRONTEND_MEMBERSHIP_PORT: '6933',
    TEMPORAL_HISTORY_MEMBERSHIP_PORT: '40000',
    TEMPORAL_MATCHING_MEMBERSHIP_PORT: '6935',
    TEMPORAL_WORKER_MEMBERSHIP_PORT: '6939',
  };
  const wrapper = fileURLToPath(new URL('../supervisor/temporal-server.ts', import.meta.url));
  const failure = await promisify(execFile)(process.execPath, [wrapper], { env: { PATH: process.env.PATH, ...settings }, timeout: 20_000 }).then(
    () => undefined,
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(failure?.code).toBe(1);
  expect(failure?.stderr).toContain('TEMPORAL_HISTORY_MEMBERSHIP_PORT: must be at most 32767');
});

test('each program of the image loads the tracing module before its own, is a service of its own in a trace, and exports to the trace viewer', () => {
  for (const program of APP_PROGRAMS) {
    const spec = specs.find((candidate) => candidate.name === program.name);
    expect([program.name, spec?.args.slice(0, 2)]).toEqual([program.name, ['--import', expect.stringMatching(/\/lib\/telemetry\/tracing\.ts$/)]]);
    expect([program.name, spec?.env['OTEL_SERVICE_NAME']]).toEqual([program.name, program.name]);
    expect([program.name, spec?.env['OTEL_EXPORTER_OTLP_ENDPOINT']]).toEqual([program.name, `http://127.0.0.1:${ports['TRACE_VIEWER_OTLP_PORT'] ?? 0}`]);
  }
});
