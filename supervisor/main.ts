// `npm start`: the whole system on one machine, each program in a process of its own.
import { mkdirSync, openSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { whenParentGone } from '../lib/parent-process.ts';
import { Child, StartFailure } from './child.ts';
import { readSupervisorConfig, type SupervisorConfig } from './config.ts';
import { checkPortsFree, childEnvironment, planFor, stagesOf, toolsFor, type Plan } from './plan.ts';
import { readableLines } from './readable-lines.ts';
import { claimDataDir } from './single-instance.ts';
import { PAYMENT_WORKFLOW_ID_PREFIX } from '../workflows/names.ts';
import { REPORT_IMPORTS_ENV, watchProgramSources } from './source-watch.ts';
import { ensureTemporalCertificates, temporalCertificatesFolder } from './temporal-certificates.ts';

/** `npm run dev`: a program whose sources change restarts alone. */
const DEV = process.argv.includes('--dev');
/** `npm run start:cluster`: the production topology, a Temporal cluster and two copies of every program. */
const CLUSTER = process.argv.includes('--cluster');

/**
 * Every line goes to the terminal and to the log file in the data folder. A terminal or a parent
 * that has gone away (EPIPE) must not take the supervisor down: the log file still has it all.
 * The programs log JSON; a person at a terminal reads them as short coloured lines instead, while
 * the file (and any pipe: CI, a test) keeps the JSON.
 */
function logTo(file: string): (line: string) => void {
  const fd = openSync(file, 'a');
  process.stdout.on('error', () => undefined);
  process.stderr.on('error', () => undefined);
  const forTerminal = process.stdout.isTTY ? readableLines() : (line: string) => line;
  return (line) => {
    process.stdout.write(`${forTerminal(line)}\n`);
    writeSync(fd, `${line}\n`);
  };
}

/** Exits once what was written to the terminal or to the parent's pipes has left. */
function exitAfterFlush(code: number): void {
  process.stdout.write('', () => process.stderr.write('', () => process.exit(code)));
}

function banner(config: SupervisorConfig, plan: Plan, logFile: string): string {
  const api = `http://localhost:${config.GATEWAY_PORT}`;
  const temporal = plan.cluster
    ? [
        `  Temporal     cluster of 2 servers, frontends 127.0.0.1:${config.TEMPORAL_PORT} and :${config.TEMPORAL_PORT_2} (mutual TLS; certificates in ${temporalCertificatesFolder(config.DATA_DIR)})`,
        `  Temporal UI  http://localhost:${config.TEMPORAL_UI_PORT}  (payments are workflows ${PAYMENT_WORKFLOW_ID_PREFIX}<orderId>)`,
        `  Copies       2 of each program${plan.workerReplicas < 2 ? ` (but ${plan.workerReplicas} of each worker and of the relay: CLUSTER_WORKER_REPLICAS)` : ''}; the second gateway is http://localhost:${config.GATEWAY_PORT_2}/ (its metrics :${config.GATEWAY_METRICS_PORT_2}, and so on: each second copy's ports are the first's + 100)`,
      ]
    : [
        plan.runsTemporal
          ? `  Temporal UI  http://localhost:${config.TEMPORAL_UI_PORT}  (payments are workflows ${PAYMENT_WORKFLOW_ID_PREFIX}<orderId>)`
          : `  Temporal     ${plan.temporalAddress}`,
      ];
  return [
    '',
    '  The shop is up.',
    `  Storefront   ${api}/`,
    `  API          ${api}/api  (token: npm run -s token -- alice)`,
    `  API docs     ${api}/docs  (OpenAPI: ${api}/openapi.json)`,
    `  Health       ${api}/healthz, ${api}/readyz`,
    `  Metrics      http://127.0.0.1:${config.GATEWAY_METRICS_PORT}/metrics (gateway), :${config.PAYMENTS_METRICS_PORT} (payments), :${config.ORDERS_METRICS_PORT} (orders), :${config.PAYMENTS_WORKER_METRICS_PORT} and :${config.ORDERS_WORKER_METRICS_PORT} (workers), :${config.OUTBOX_RELAY_METRICS_PORT} (relay); workers and relay answer /healthz, /readyz there`,
    ...temporal,
    ...(plan.runsTraceViewer
      ? [`  Traces       http://localhost:${config.TRACE_VIEWER_PORT}/search?service=gateway  (an order's trace: tag orderId=<orderId>)`]
      : []),
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

/** What a failed start reports, filled in as the start gets that far. */
interface Progress {
  say?: (line: string) => void;
  logFile?: string;
  claim?: { release: () => void };
}

/** Reads the settings, claims the data folder, checks the ports, then starts every program and says where they are. */
async function startShop(progress: Progress): Promise<void> {
  const config = readSupervisorConfig();
  mkdirSync(config.DATA_DIR, { recursive: true });
  const logFile = resolve(join(config.DATA_DIR, 'supervisor.log'));
  const say = logTo(logFile);
  Object.assign(progress, { logFile, say });
  const claim = claimDataDir(config.DATA_DIR);
  progress.claim = claim;
  const plan = planFor(config, CLUSTER);
  await checkPortsFree(config, plan);
  const tools = await toolsFor(plan, say);
  if (plan.cluster) await ensureTemporalCertificates(temporalCertificatesFolder(config.DATA_DIR));
  const env = { ...childEnvironment(config, plan), ...(DEV ? REPORT_IMPORTS_ENV : {}) };
  const children = stagesOf(config, plan, env, tools).map((stage) => stage.map((spec) => new Child(spec, say)));
  const sourceWatch = DEV ? watchProgramSources(children.flat(), say) : undefined;
  const up = await run(children, config.START_TIMEOUT_MS, say, () => {
    sourceWatch?.close();
    claim.release();
  });
  if (up) say(banner(config, plan, logFile));
  if (up && DEV) say('supervisor     | dev mode: a program restarts when a source file it imports changes');
}

/** One line naming why and, once there is one, the log to read, to the log and to stderr; the data folder is given back. */
function reportFailure(error: unknown, progress: Progress): void {
  const reason = error instanceof Error ? error.message : String(error);
  const line = progress.logFile ? `The shop did not start: ${reason.replace(/\.$/, '')}. The whole log: ${progress.logFile}` : reason;
  progress.say?.(`supervisor     | ${line}`);
  progress.claim?.release();
  process.stderr.write(`${line}\n`);
  exitAfterFlush(1);
}

const progress: Progress = {};
await startShop(progress).catch((error: unknown) => reportFailure(error, progress));
