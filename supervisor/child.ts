import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** What the child waits for before it says it is ready (lib/main.ts sends `{ ready: true }`); for the log. */
  readiness: string;
  /** How long it may take to become ready; the start fails after that. */
  readyTimeoutMs: number;
}

/** A child that could not be started: which, why, and the last lines it wrote. */
export class StartFailure extends Error {
  readonly child: string;
  readonly lastLines: string[];

  constructor(child: string, reason: string, lastLines: string[]) {
    super(`${child} ${reason}`);
    this.child = child;
    this.lastLines = lastLines;
  }
}

const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 10_000;
/** A child that dies this often before it is ready will not come up by trying again. */
const START_ATTEMPTS = 3;
const TAIL_LINES = 20;
/** A line kept for a failure message is cut here: one endless line must not make a huge message. */
const TAIL_LINE_CHARS = 2_000;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One program of the system, run as its own process in a process group of its own: its output
 * lines are prefixed with its name, and when it exits, whatever it started and left behind is
 * killed with its group. Starting it waits until it says it is ready, and fails with the reason
 * (and its last lines) if it keeps dying first or takes too long. Once it has been ready, a death
 * restarts it, waiting longer after each quick death. Its IPC channel lets it notice when the
 * supervisor is gone, however it went.
 */
export class Child {
  private process: ChildProcess | undefined;
  private stopping = false;
  private ready = false;
  private backoffMs = 500;
  private launchedAt = 0;
  /** Set while it waits out its backoff before the next start. */
  private restartTimer: NodeJS.Timeout | undefined;
  private readonly tail: string[] = [];
  private readonly messageListeners: ((message: unknown) => void)[] = [];
  private readonly spec: ChildSpec;
  private readonly say: (line: string) => void;

  constructor(spec: ChildSpec, say: (line: string) => void) {
    this.spec = spec;
    this.say = say;
  }

  get name(): string {
    return this.spec.name;
  }

  get readiness(): string {
    return this.spec.readiness;
  }

  /** Starts it and waits until it is ready; `deadline` (epoch ms) bounds the wait, with its own timeout. */
  async start(deadline: number): Promise<void> {
    const until = Math.min(deadline, Date.now() + this.spec.readyTimeoutMs);
    let exit = '';
    for (let attempt = 1; attempt <= START_ATTEMPTS; attempt++) {
      if (attempt > 1) {
        this.say(`${this.prefix} ${exit} before it was ready; starting it again`);
        await sleep(500 * (attempt - 1));
        if (this.stopping) throw new StartFailure(this.name, 'was stopped while starting', [...this.tail]);
      }
      const child = this.spawn();
      const outcome = await this.readyOrExit(child, until);
      if (this.stopping) throw new StartFailure(this.name, 'was stopped while starting', [...this.tail]);
      if (outcome === 'ready') {
        this.ready = true;
        child.on('exit', (code, signal) => this.restartAfter(code, signal));
        return;
      }
      if (outcome === 'timeout') {
        await this.stop();
        throw new StartFailure(this.name, `was not ready within ${Math.round((until - this.launchedAt) / 1000)} s (waiting for ${this.readiness})`, [...this.tail]);
      }
      exit = outcome;
    }
    throw new StartFailure(this.name, `${exit} before it was ready, ${START_ATTEMPTS} times`, [...this.tail]);
  }

  /** Hears every IPC message of every process this child runs, restarts included. */
  onMessage(listener: (message: unknown) => void): void {
    this.messageListeners.push(listener);
  }

  /**
   * Stops it so that it starts again after the shortest wait (`npm run dev`: a source of it
   * changed). Only once it has been ready: a start in progress is left to finish.
   */
  restart(): void {
    const child = this.process;
    if (this.stopping || !this.ready || !child) return;
    this.backoffMs = 500;
    // Dead and waiting out its backoff (it died of the very source now fixed): start it now, not in up to 30 s.
    if (this.restartTimer) {
      clearTimeout(this.restartTimer);
      this.respawn();
      return;
    }
    if (child.killed || child.exitCode !== null) return;
    child.kill('SIGTERM');
  }

  private get prefix(): string {
    return `${this.spec.name.padEnd(15)}|`;
  }

  private spawn(): ChildProcess {
    const child = spawn(this.spec.command, this.spec.args, { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'], detached: true });
    this.process = child;
    this.launchedAt = Date.now();
    const remember = (line: string) => {
      this.tail.push(line.slice(0, TAIL_LINE_CHARS));
      if (this.tail.length > TAIL_LINES) this.tail.shift();
    };
    for (const stream of [child.stdout, child.stderr]) {
      if (!stream) continue;
      createInterface({ input: stream }).on('line', (line) => {
        remember(line);
        this.say(`${this.prefix} ${line}`);
      });
    }
    // A program that cannot be run at all (no such file) emits only 'error'; it counts as an
    // exit with code 127, as a shell would say, so it goes the way of any other death.
    child.once('error', (error) => {
      remember(`could not be run: ${error.message}`);
      this.say(`${this.prefix} could not be run: ${error.message}`);
      if (child.pid === undefined) child.emit('exit', 127, null);
    });
    child.once('exit', () => killGroup(child));
    child.on('message', (message) => {
      for (const listener of this.messageListeners) listener(message);
    });
    return child;
  }

  /** 'ready', 'timeout', or how the child exited. */
  private readyOrExit(child: ChildProcess, deadline: number): Promise<string> {
    return new Promise((resolve) => {
      const settle = (outcome: string) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(outcome);
      };
      const onMessage = (message: unknown) => {
        if ((message as { ready?: boolean } | null)?.ready === true) settle('ready');
      };
      const onExit = (code: number | null, signal: NodeJS.Signals | null) => settle(`exited (${signal ?? `code ${code}`})`);
      const timer = setTimeout(() => settle('timeout'), Math.max(0, deadline - Date.now()));
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  }

  private restartAfter(code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    if (Date.now() - this.launchedAt > MAX_BACKOFF_MS) this.backoffMs = 500;
    this.say(`${this.prefix} exited (${signal ?? `code ${code}`}); restarting in ${this.backoffMs} ms`);
    this.restartTimer = setTimeout(() => this.respawn(), this.backoffMs).unref();
    this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
  }

  private respawn(): void {
    this.restartTimer = undefined;
    if (!this.stopping) this.spawn().on('exit', (code, signal) => this.restartAfter(code, signal));
  }

  /** From now on an exit is expected: it is not restarted. */
  expectExit(): void {
    this.stopping = true;
  }

  /** SIGTERM, so it drains what it is doing; SIGKILL if it has not gone within the grace period. */
  async stop(): Promise<void> {
    this.expectExit();
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}

/** Whatever the child started and left running (the Temporal server under its wrapper, say). */
function killGroup(child: ChildProcess): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // The group is empty: nothing was left behind.
  }
}
