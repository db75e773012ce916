// What the supervisor's wrappers of Go servers (the Temporal dev server, a Temporal server of the
// cluster, the Web UI server) share. A Go binary cannot notice that its parent is gone; its wrapper
// runs it, ends when it ends (so the supervisor restarts both), and takes it down when told to stop.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { whenParentGone } from '../lib/parent-process.ts';

export interface WrappedServerOptions {
  env?: NodeJS.ProcessEnv;
  /** Lines dropped once the server has been asked to stop (noise of its shutdown); all others pass. */
  quietWhenStopping?: RegExp;
}

/** Runs the server as this process's child, its output passed on as this process's. */
export function runWrappedServer(executable: string, args: string[], options: WrappedServerOptions = {}): ChildProcess {
  const server = spawn(executable, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env });
  let stopping = false;
  for (const [from, to] of [
    [server.stdout, process.stdout],
    [server.stderr, process.stderr],
  ] as const) {
    createInterface({ input: from }).on('line', (line) => {
      if (!(stopping && options.quietWhenStopping?.test(line))) to.write(`${line}\n`);
    });
  }
  server.once('error', (error) => {
    console.error(`could not run ${executable}: ${error.message}`);
    process.exit(1);
  });
  // However the server ends, so does this process (once its output is passed on): the supervisor then starts both again.
  server.once('close', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
  const stop = () => {
    stopping = true;
    server.kill('SIGTERM');
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  whenParentGone(stop);
  return server;
}

/** Asks `answers` every `intervalMs` until it says yes: the wait for a server to serve, not merely to listen. */
export async function untilServing(answers: () => Promise<boolean>, intervalMs: number): Promise<void> {
  while (!(await answers().catch(() => false))) await new Promise((resolve) => setTimeout(resolve, intervalMs));
}
