import { spawn } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { freePort, releasePort } from './free-port.ts';
import { loadDevSecrets, type DevSecrets } from '../supervisor/dev-secrets.ts';
import { embeddedPostgresUrl } from '../supervisor/embedded-postgres-url.ts';
import { PORT_SETTINGS, type PortSetting } from '../supervisor/programs.ts';
import { temporalTlsEnvironment } from '../supervisor/temporal-certificates.ts';

export interface RunningSystem {
  /** The supervisor's process id; its children are the system's programs. */
  pid: number;
  dataDir: string;
  /** Everything the supervisor and its programs wrote. */
  logFile: string;
  /** The environment the supervisor was started with. */
  env: NodeJS.ProcessEnv;
  gatewayUrl: string;
  /** Every gateway: the one, or under the cluster mode both copies. */
  gatewayUrls: string[];
  postgresUrl(database: string): string;
  temporalAddress: string;
  /** What a Temporal client of this system reads (readTemporalConnection): its address and, under the cluster mode, the certificates of its mutual TLS. */
  temporalClientEnv: NodeJS.ProcessEnv;
  ports: Record<PortSetting, number>;
  secrets: DevSecrets;
  stop(): Promise<void>;
}

export interface SystemOptions {
  /** Settings beyond the harness's own, for a test that wants them (say, one that breaks the start). */
  env?: Record<string, string>;
  /** The programs' log level; their lines go to the log file, not to the test's output. */
  logLevel?: string;
  /** Names the log file; a start meant to fail is labelled `expected-failure-...`, so CI does not print it. */
  label?: string;
  /** Runs the system of another copy of the project (a clone elsewhere, or a copy a test edits), from its folder, as `npm start` there. */
  checkout?: string;
  /** A data folder of the caller's, kept when stopped; by default a throw-away one. */
  dataDir?: string;
  /** `npm run dev` rather than `npm start`: a program whose sources change restarts. */
  dev?: boolean;
  /** `npm run start:cluster`: a Temporal cluster of two servers and two copies of every program. */
  cluster?: boolean;
}

// The only variables that reach the system from the caller: where programs and caches are.
// Anything else in the caller's shell (JWT_SECRET, DATA_DIR, ports...) would change the system
// under test behind the test's back.
const PASSED_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'XDG_CACHE_HOME', 'TEMPORAL_CLI_PATH'];

const START_DEADLINE_MS = 150_000;
const STOP_GRACE_MS = 30_000;
const LOG_DIR = fileURLToPath(new URL('../test-results/system-logs/', import.meta.url));
const TAIL_LINES = 60;
/** A line shown in a failure message is cut here: one endless line must not make a huge message. */
const TAIL_LINE_CHARS = 2_000;

/** The whole system exactly as `npm start` runs it, in a throw-away data folder on free ports. */
export async function startSystem(options: SystemOptions = {}): Promise<RunningSystem> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'shop-system-')));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
  if (options.dataDir === undefined) await chmod(dataDir, 0o755);
  const checkout = options.checkout ?? fileURLToPath(new URL('..', import.meta.url));
  // A free port for every port of every program.
  const ports = {} as Record<PortSetting, number>;
  for (const setting of PORT_SETTINGS) ports[setting] = await freePort();
  const env: NodeJS.ProcessEnv = {
    ...Object.fromEntries(PASSED_THROUGH.filter((name) => process.env[name] !== undefined).map((name) => [name, process.env[name]])),
    DATA_DIR: dataDir,
    // Not the caller's Temporal config file either (envconfig reads ~/.config/temporalio/temporal.toml).
    XDG_CONFIG_HOME: dataDir,
    ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
    LOG_LEVEL: options.logLevel ?? 'info',
    ...options.env,
  };
  mkdirSync(LOG_DIR, { recursive: true });
  const logFile = join(LOG_DIR, `${options.label ?? 'system'}-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
  const log = createWriteStream(logFile);
  const supervisor = spawn(process.execPath, [join(checkout, 'supervisor', 'main.ts'), ...(options.dev ? ['--dev'] : []), ...(options.cluster ? ['--cluster'] : [])], {
    cwd: checkout,
    env,
    // The IPC channel closes when this process dies, however it dies; the supervisor then stops the system.
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const progress = new StartProgress();
  for (const stream of [supervisor.stdout, supervisor.stderr]) {
    if (!stream) continue;
    createInterface({ input: stream }).on('line', (line) => {
      log.write(`${line}\n`);
      progress.read(line);
    });
  }
  const exited = new Promise<void>((resolve) => supervisor.once('exit', () => resolve()));
  const stopSupervisor = async () => {
    supervisor.kill('SIGTERM');
    const timer = setTimeout(() => supervisor.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
    await new Promise((resolve) => log.end(resolve));
    if (options.dataDir === undefined) await rm(dataDir, { recursive: true, force: true });
    for (const port of Object.values(ports)) releasePort(port);
  };

  // Up means the supervisor's banner: every program has said it is ready, not only the gateway.
  const deadline = Date.now() + START_DEADLINE_MS;
  for (;;) {
    const failure =
      supervisor.exitCode !== null || supervisor.signalCode !== null
        ? `the supervisor exited (${supervisor.signalCode ?? `code ${supervisor.exitCode}`})`
        : Date.now() > deadline
          ? `it was not up after ${START_DEADLINE_MS / 1000} s`
          : undefined;
    if (failure) {
      await stopSupervisor();
      throw new Error(progress.explain(`The system did not start: ${failure}.`, logFile));
    }
    if (progress.up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return {
    pid: supervisor.pid ?? 0,
    dataDir,
    logFile,
    env,
    gatewayUrl: `http://127.0.0.1:${ports.GATEWAY_PORT}`,
    gatewayUrls: [ports.GATEWAY_PORT, ...(options.cluster ? [ports.GATEWAY_PORT_2] : [])].map((port) => `http://127.0.0.1:${port}`),
    postgresUrl: (database) => embeddedPostgresUrl(ports.EMBEDDED_POSTGRES_PORT, database),
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    temporalClientEnv: { ...env, TEMPORAL_ADDRESS: `127.0.0.1:${ports.TEMPORAL_PORT}`, ...(options.cluster ? temporalTlsEnvironment(dataDir) : {}) },
    ports,
    // The supervisor made them on its start, as `npm start` does: the same reader finds them.
    secrets: loadDevSecrets(dataDir),
    stop: stopSupervisor,
  };
}

/** Follows the supervisor's output: whether it is up, which programs are ready, which it waits for, the last lines. */
class StartProgress {
  private readonly ready: string[] = [];
  private readonly waiting = new Map<string, string>();
  private readonly tail: string[] = [];
  up = false;

  read(line: string): void {
    if (line.trim() === 'The shop is up.') this.up = true;
    this.tail.push(line.slice(0, TAIL_LINE_CHARS));
    if (this.tail.length > TAIL_LINES) this.tail.shift();
    const starting = /^supervisor\s+\| starting (\S+): waiting for (.+)$/.exec(line);
    if (starting?.[1] && starting[2]) this.waiting.set(starting[1], starting[2]);
    const ready = /^supervisor\s+\| (\S+) is ready/.exec(line);
    if (ready?.[1]) {
      this.ready.push(ready[1]);
      this.waiting.delete(ready[1]);
    }
  }

  explain(headline: string, logFile: string): string {
    const waiting = [...this.waiting].map(([name, readiness]) => `${name} (${readiness})`);
    return [
      headline,
      `Ready: ${this.ready.join(', ') || 'nothing'}.`,
      `Waiting for: ${waiting.join('; ') || 'nothing'}.`,
      `The whole log: ${logFile}`,
      `Its last ${this.tail.length} lines:`,
      ...this.tail.map((line) => `  ${line}`),
    ].join('\n');
  }
}
