// `npm start`: the whole system on one machine, each program in a process of its own.
import { mkdirSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresUrl } from '../lib/database/embedded-postgres-url.ts';
import { ensureTemporalCli } from '../lib/temporal/temporal-cli.ts';
import { Child, type ChildSpec } from './child.ts';
import { readSupervisorConfig } from './config.ts';
import { loadDevSecrets } from './dev-secrets.ts';
import { assertPortsFree } from './ports.ts';
import { claimDataDir } from './single-instance.ts';
import { temporalDevServer } from './temporal-dev-server.ts';

const say = (line: string) => process.stdout.write(`${line}\n`);
const node = (name: string, path: string): Pick<ChildSpec, 'name' | 'command' | 'args'> => ({
  name,
  command: process.execPath,
  args: [fileURLToPath(new URL(path, import.meta.url))],
});
const httpReady = (port: number) => async () => (await fetch(`http://127.0.0.1:${port}/readyz`)).ok;
const tcpReady = (port: number) => () =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, '127.0.0.1', () => {
      socket.end();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
// Workers and the relay have no port: started is ready (they retry their connections themselves).
const started = () => Promise.resolve(true);

try {
  const config = readSupervisorConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const claim = claimDataDir(config.DATA_DIR);
  const useEmbeddedPostgres = !config.PAYMENTS_DATABASE_URL || !config.ORDERS_DATABASE_URL;
  const runTemporal = !config.TEMPORAL_ADDRESS;
  await assertPortsFree({
    gateway: config.GATEWAY_PORT,
    payments: config.PAYMENTS_PORT,
    orders: config.ORDERS_PORT,
    'payments worker metrics': config.PAYMENTS_WORKER_METRICS_PORT,
    'orders worker metrics': config.ORDERS_WORKER_METRICS_PORT,
    ...(useEmbeddedPostgres ? { 'embedded PostgreSQL': config.EMBEDDED_POSTGRES_PORT } : {}),
    ...(runTemporal ? { Temporal: config.TEMPORAL_PORT, 'Temporal Web UI': config.TEMPORAL_UI_PORT } : {}),
  });

  const temporalCli = runTemporal ? await ensureTemporalCli(say) : undefined;
  if (runTemporal && !temporalCli) {
    throw new Error('No Temporal CLI found, and no Go to build one: install Go, or set TEMPORAL_CLI_PATH, or TEMPORAL_ADDRESS for a server of your own.');
  }

  const devSecrets = config.JWT_SECRET && config.INTERNAL_TOKEN ? undefined : loadDevSecrets(config.DATA_DIR);
  const temporalAddress = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    JWT_SECRET: config.JWT_SECRET ?? devSecrets?.JWT_SECRET,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? devSecrets?.INTERNAL_TOKEN,
    PAYMENTS_DATABASE_URL: config.PAYMENTS_DATABASE_URL ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'payments'),
    ORDERS_DATABASE_URL: config.ORDERS_DATABASE_URL ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'orders'),
    PAYMENTS_URL: `http://127.0.0.1:${config.PAYMENTS_PORT}`,
    ORDERS_URL: `http://127.0.0.1:${config.ORDERS_PORT}`,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_URL: `http://localhost:${config.TEMPORAL_UI_PORT}`,
    // A local run signs in from the storefront without an identity provider.
    DEV_SIGN_IN: 'true',
  };

  // In start order; stopped in the reverse one (the gateway first, the database last).
  const specs: ChildSpec[] = [
    ...(useEmbeddedPostgres ? [{ ...node('postgres', './postgres.ts'), env, ready: tcpReady(config.EMBEDDED_POSTGRES_PORT) }] : []),
    ...(temporalCli
      ? [{ ...temporalDevServer(temporalCli, { dataDir: config.DATA_DIR, port: config.TEMPORAL_PORT, uiPort: config.TEMPORAL_UI_PORT }), env, ready: tcpReady(config.TEMPORAL_PORT) }]
      : []),
    { ...node('payments', '../services/payments/main.ts'), env, ready: httpReady(config.PAYMENTS_PORT) },
    { ...node('orders', '../services/orders/main.ts'), env, ready: httpReady(config.ORDERS_PORT) },
    {
      ...node('payments-worker', '../workers/payments-worker.ts'),
      env: { ...env, METRICS_ADDRESS: `127.0.0.1:${config.PAYMENTS_WORKER_METRICS_PORT}` },
      ready: started,
    },
    {
      ...node('orders-worker', '../workers/orders-worker.ts'),
      env: { ...env, METRICS_ADDRESS: `127.0.0.1:${config.ORDERS_WORKER_METRICS_PORT}` },
      ready: started,
    },
    { ...node('outbox-relay', '../workers/outbox-relay.ts'), env, ready: started },
    { ...node('gateway', '../services/gateway/main.ts'), env, ready: httpReady(config.GATEWAY_PORT) },
  ];
  const children = specs.map((spec) => new Child(spec, say));

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    say('supervisor     | stopping...');
    for (const child of children) child.expectExit();
    for (const child of children.toReversed()) await child.stop();
    claim.release();
    say('supervisor     | stopped');
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());

  for (const child of children) await child.start();

  const api = `http://localhost:${config.GATEWAY_PORT}`;
  say(
    [
      '',
      '  The shop is up.',
      `  Storefront   ${api}/`,
      `  API          ${api}/api  (token: npm run -s token -- alice)`,
      `  API docs     ${api}/docs  (OpenAPI: ${api}/openapi.json)`,
      `  Health       ${api}/healthz, ${api}/readyz`,
      `  Metrics      ${api}/metrics, :${config.PAYMENTS_PORT}/metrics, :${config.ORDERS_PORT}/metrics, workers :${config.PAYMENTS_WORKER_METRICS_PORT}/metrics, :${config.ORDERS_WORKER_METRICS_PORT}/metrics`,
      temporalCli ? `  Temporal UI  http://localhost:${config.TEMPORAL_UI_PORT}  (payments are workflows payment-<orderId>)` : `  Temporal     ${temporalAddress}`,
      `  Data         ${config.DATA_DIR}${useEmbeddedPostgres ? ` (embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT})` : ''}`,
      '  Stop         Ctrl-C',
      '',
    ].join('\n'),
  );
} catch (error) {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
}
