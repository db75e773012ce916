// `npm start`: the whole system on one machine, each program in a process of its own.
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { whenParentGone } from '../lib/parent-process.ts';
import { ensureTemporalCli } from './temporal-cli.ts';
import { Child, StartFailure, type ChildSpec } from './child.ts';
import { readSupervisorConfig, type SupervisorConfig } from './config.ts';
import { loadDevSecrets } from './dev-secrets.ts';
import { assertPortsFree } from './ports.ts';
import { claimDataDir } from './single-instance.ts';

const node = (name: string, path: string): Pick<ChildSpec, 'name' | 'command' | 'args'> => ({
  name,
  command: process.execPath,
  args: [fileURLToPath(new URL(path, import.meta.url))],
});
/** How long one program may take to say it is ready. */
const READY_TIMEOUT_MS = 60_000;

/**
 * Every line goes to the terminal and to the log file in the data folder. A terminal or a parent
 * that has gone away (EPIPE) must not take the supervisor down: the log file still has it all.
 */
function logTo(file: string): (line: string) => void {
  const fd = openSync(file, 'a');
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  return (line) => {
    process.stdout.write(`${line}\n`);
    writeSync(fd, `${line}\n`);
  };
}

/** Exits once what was written to the terminal or to the parent's pipes has left. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

/**
 * The programs in stages: each stage starts together, once the one before is ready; they stop in
 * the reverse order (the gateway first, the database last). The services migrate their databases,
 * so they come before the workers that share those databases.
 */
async function plan(config: SupervisorConfig, say: (line: string) => void): Promise<{ stages: ChildSpec[][]; temporalAddress: string; runsTemporal: boolean }> {
  const useEmbeddedPostgres = !config.PAYMENTS_DATABASE_URL || !config.ORDERS_DATABASE_URL || !config.GATEWAY_DATABASE_URL;
  const runsTemporal = !config.TEMPORAL_ADDRESS;
  await assertPortsFree({
    gateway: config.GATEWAY_PORT,
    payments: config.PAYMENTS_PORT,
    orders: config.ORDERS_PORT,
    'gateway metrics': config.GATEWAY_METRICS_PORT,
    'payments metrics': config.PAYMENTS_METRICS_PORT,
    'orders metrics': config.ORDERS_METRICS_PORT,
    'payments worker metrics': config.PAYMENTS_WORKER_METRICS_PORT,
    'orders worker metrics': config.ORDERS_WORKER_METRICS_PORT,
    ...(useEmbeddedPostgres ? { 'embedded PostgreSQL': config.EMBEDDED_POSTGRES_PORT } : {}),
    ...(runsTemporal ? { Temporal: config.TEMPORAL_PORT, 'Temporal Web UI': config.TEMPORAL_UI_PORT } : {}),
  });

  const temporalCli = runsTemporal ? await ensureTemporalCli(say) : undefined;

  const devSecrets = config.JWT_SECRET && config.INTERNAL_TOKEN ? undefined : loadDevSecrets(config.DATA_DIR);
  const temporalAddress = config.TEMPORAL_ADDRESS ?? `127.0.0.1:${config.TEMPORAL_PORT}`;
  // Every setting a child needs is passed explicitly, never left to a child's own default.
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATA_DIR: config.DATA_DIR,
    EMBEDDED_POSTGRES_PORT: String(config.EMBEDDED_POSTGRES_PORT),
    JWT_SECRET: config.JWT_SECRET ?? devSecrets?.JWT_SECRET,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? devSecrets?.INTERNAL_TOKEN,
    PAYMENTS_DATABASE_URL: config.PAYMENTS_DATABASE_URL ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'payments'),
    ORDERS_DATABASE_URL: config.ORDERS_DATABASE_URL ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'orders'),
    GATEWAY_DATABASE_URL: config.GATEWAY_DATABASE_URL ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'gateway'),
    TEMPORAL_PORT: String(config.TEMPORAL_PORT),
    TEMPORAL_UI_PORT: String(config.TEMPORAL_UI_PORT),
    PAYMENTS_PORT: String(config.PAYMENTS_PORT),
    ORDERS_PORT: String(config.ORDERS_PORT),
    GATEWAY_PORT: String(config.GATEWAY_PORT),
    PAYMENTS_URL: `http://127.0.0.1:${config.PAYMENTS_PORT}`,
    ORDERS_URL: `http://127.0.0.1:${config.ORDERS_PORT}`,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_UI_URL: `http://localhost:${config.TEMPORAL_UI_PORT}`,
    // A local run signs in from the storefront without an identity provider.
    DEV_SIGN_IN: 'true',
  };
  const ready = 'says it is ready';
  const metricsOn = (port: number): NodeJS.ProcessEnv => ({ ...env, METRICS_ADDRESS: `127.0.0.1:${port}` });
  const stages: Omit<ChildSpec, 'readyTimeoutMs'>[][] = [
    [
      ...(useEmbeddedPostgres ? [{ ...node('postgres', './postgres.ts'), env, readiness: `PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT}` }] : []),
      ...(temporalCli
        ? [{ ...node('temporal', './temporal-dev-server.ts'), env: { ...env, TEMPORAL_CLI_PATH: temporalCli }, readiness: `the dev server to answer on ${temporalAddress}` }]
        : []),
    ],
    [
      { ...node('payments', '../services/payments/main.ts'), env: metricsOn(config.PAYMENTS_METRICS_PORT), readiness: `port ${config.PAYMENTS_PORT} ${ready}` },
      { ...node('orders', '../services/orders/main.ts'), env: metricsOn(config.ORDERS_METRICS_PORT), readiness: `port ${config.ORDERS_PORT} ${ready}` },
    ],
    [
      {
        ...node('payments-worker', '../workers/payments-worker.ts'),
        env: metricsOn(config.PAYMENTS_WORKER_METRICS_PORT),
        readiness: `Temporal at ${temporalAddress}, ${ready}`,
      },
      {
        ...node('orders-worker', '../workers/orders-worker.ts'),
        env: metricsOn(config.ORDERS_WORKER_METRICS_PORT),
        readiness: `Temporal at ${temporalAddress}, ${ready}`,
      },
      { ...node('outbox-relay', '../workers/outbox-relay.ts'), env, readiness: `Temporal at ${temporalAddress}, ${ready}` },
      { ...node('gateway', '../services/gateway/main.ts'), env: metricsOn(config.GATEWAY_METRICS_PORT), readiness: `port ${config.GATEWAY_PORT} ${ready}` },
    ],
  ];
  return { stages: stages.map((stage) => stage.map((spec) => ({ ...spec, readyTimeoutMs: READY_TIMEOUT_MS }))), temporalAddress, runsTemporal };
}

function banner(config: SupervisorConfig, temporal: { address: string; runs: boolean }, logFile: string): string {
  const api = `http://localhost:${config.GATEWAY_PORT}`;
  return [
    '',
    '  The shop is up.',
    `  Storefront   ${api}/`,
    `  API          ${api}/api  (token: npm run -s token -- alice)`,
    `  API docs     ${api}/docs  (OpenAPI: ${api}/openapi.json)`,
    `  Health       ${api}/healthz, ${api}/readyz`,
    `  Metrics      http://127.0.0.1:${config.GATEWAY_METRICS_PORT}/metrics (gateway), :${config.PAYMENTS_METRICS_PORT} (payments), :${config.ORDERS_METRICS_PORT} (orders), :${config.PAYMENTS_WORKER_METRICS_PORT} and :${config.ORDERS_WORKER_METRICS_PORT} (workers)`,
    temporal.runs ? `  Temporal UI  http://localhost:${config.TEMPORAL_UI_PORT}  (payments are workflows payment-<orderId>)` : `  Temporal     ${temporal.address}`,
    `  Data         ${config.DATA_DIR}`,
    `  Log          ${logFile}`,
    '  Stop         Ctrl-C',
    '',
  ].join('\n');
}

/**
 * Starts the stages in order, within the start timeout, and stops every child on a signal or when
 * the process that started this one is gone. A child that cannot be started stops the others at
 * once and fails the start. Resolves whether the system is up (false: it was stopped while starting).
 */
async function run(stages: Child[][], startTimeoutMs: number, say: (line: string) => void, onStopped: () => void): Promise<boolean> {
  const children = stages.flat();
  let stopping: Promise<void> | undefined;
  const stopAll = () => {
    stopping ??= (async () => {
      say('supervisor     | stopping...');
      for (const child of children) child.expectExit();
      for (const child of children.toReversed()) await child.stop();
      onStopped();
      say('supervisor     | stopped');
    })();
    return stopping;
  };
  const stopAndExit = () => void stopAll().then(() => exitAfterFlush(0));
  process.on('SIGINT', stopAndExit);
  process.on('SIGTERM', stopAndExit);
  // Started by a test harness or another program over IPC: its end is ours.
  whenParentGone(stopAndExit);

  const deadline = Date.now() + startTimeoutMs;
  let failure: Error | undefined;
  const start = async (child: Child) => {
    const started = Date.now();
    say(`supervisor     | starting ${child.name}: waiting for ${child.readiness}`);
    try {
      await child.start(deadline);
    } catch (error) {
      if (failure === undefined && !stopping) {
        failure = error instanceof Error ? error : new Error(String(error));
        if (error instanceof StartFailure) say(`supervisor     | the last lines of ${error.child}:\n${error.lastLines.map((line) => `    ${line}`).join('\n')}`);
        void stopAll();
      }
      return;
    }
    say(`supervisor     | ${child.name} is ready (${Date.now() - started} ms)`);
  };
  for (const stage of stages) {
    await Promise.all(stage.map(start));
    if (failure !== undefined) {
      await stopAll();
      throw failure;
    }
    if (stopping) return false;
  }
  return true;
}

let say: ((line: string) => void) | undefined;
let logFile: string | undefined;
let claim: { release: () => void } | undefined;
try {
  const config = readSupervisorConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  logFile = resolve(join(config.DATA_DIR, 'supervisor.log'));
  const log = logTo(logFile);
  say = log;
  const dataDirClaim = claimDataDir(config.DATA_DIR);
  claim = dataDirClaim;
  const { stages, temporalAddress, runsTemporal } = await plan(config, log);
  const up = await run(
    stages.map((stage) => stage.map((spec) => new Child(spec, log))),
    config.START_TIMEOUT_MS,
    log,
    () => dataDirClaim.release(),
  );
  if (up) log(banner(config, { address: temporalAddress, runs: runsTemporal }, logFile));
} catch (error) {
  const reason = error instanceof Error ? error.message : String(error);
  const line = error instanceof StartFailure ? `The shop did not start: ${reason}. The whole log: ${logFile}` : reason;
  say?.(`supervisor     | ${line}`);
  claim?.release();
  process.stderr.write(`${line}\n`);
  exitAfterFlush(1);
}
