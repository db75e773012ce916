import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface ChildSpec {
  name: string;
  command: string;
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Resolves once the child serves; polled after each start. */
  ready: () => Promise<boolean>;
}

const MAX_BACKOFF_MS = 30_000;
const STOP_GRACE_MS = 10_000;

/**
 * One program of the system, run as its own process: its output lines are prefixed with
 * its name, and if it dies on its own it is started again, waiting longer after each quick death.
 * The IPC channel lets the child notice when the supervisor is gone, however it went.
 */
export class Child {
  private process: ChildProcess | undefined;
  private stopping = false;
  private backoffMs = 500;
  private readonly spec: ChildSpec;
  private readonly say: (line: string) => void;

  constructor(spec: ChildSpec, say: (line: string) => void) {
    this.spec = spec;
    this.say = say;
  }

  get pid(): number | undefined {
    return this.process?.pid;
  }

  async start(): Promise<void> {
    this.launch();
    await this.waitUntilReady();
  }

  private launch(): void {
    const startedAt = Date.now();
    const child = spawn(this.spec.command, this.spec.args, { env: this.spec.env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
    this.process = child;
    const prefix = `${this.spec.name.padEnd(15)}|`;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => this.say(`${prefix} ${line}`));
    }
    child.on('exit', (code, signal) => {
      if (this.stopping) return;
      if (Date.now() - startedAt > MAX_BACKOFF_MS) this.backoffMs = 500;
      this.say(`${prefix} exited (${signal ?? `code ${code}`}); restarting in ${this.backoffMs} ms`);
      setTimeout(() => this.stopping || this.launch(), this.backoffMs);
      this.backoffMs = Math.min(this.backoffMs * 2, MAX_BACKOFF_MS);
    });
  }

  private async waitUntilReady(): Promise<void> {
    for (;;) {
      if (await this.spec.ready().catch(() => false)) return;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }

  /** From now on an exit is expected: it is not restarted. */
  expectExit(): void {
    this.stopping = true;
  }

  /** SIGTERM, so it drains what it is doing; SIGKILL if it has not gone within the grace period. */
  async stop(): Promise<void> {
    this.expectExit();
    const child = this.process;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }
}
