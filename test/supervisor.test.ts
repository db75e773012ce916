import { fork, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../harness/free-port.ts';
import { Child } from '../supervisor/child.ts';
import { until } from './helpers/eventually.ts';

// The supervisor's parts where a crash, a signal or a parent that goes away could leave a process
// running or a start hanging.

const moduleUrl = (path: string) => new URL(path, import.meta.url).href;

/** Runs an ES module given as text in a new Node process with an IPC channel; resolves its exit code. */
function runModule(source: string, options: { env?: NodeJS.ProcessEnv; onSpawn?: (child: ReturnType<typeof fork>) => void } = {}) {
  const child = fork('--input-type=module', ['-e', source], { execArgv: [], env: options.env ?? process.env, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  options.onSpawn?.(child);
  // One that hangs (the very defect some tests look for) is ended, not left behind: its code is then null.
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  return new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    }),
  );
}

test('a program stopped while it waits to be started again is not started again', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'shop-child-'));
  const marker = join(folder, 'died-once');
  const lines: string[] = [];
  const child = new Child(
    {
      name: 'dies-at-once',
      command: process.execPath,
      // Dies at once the first time; a second attempt would say so and live on.
      args: ['-e', `const fs = require('fs'); if (!fs.existsSync(${JSON.stringify(marker)})) { fs.writeFileSync(${JSON.stringify(marker)}, ''); process.exit(1); } console.log('started again'); setInterval(() => {}, 1000);`],
      env: { PATH: process.env.PATH },
      readiness: 'nothing',
      readyTimeoutMs: 30_000,
    },
    (line) => lines.push(line),
  );
  const started = child.start(Date.now() + 30_000).then(
    () => 'ready',
    (error: unknown) => String(error),
  );
  // The first attempt has died; the second waits out its pause (500 ms).
  await until(() => lines.some((line) => line.includes('starting it again')), 'the second attempt announced');
  await child.stop();
  expect(await started).toContain('was stopped while starting');
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  expect(lines.filter((line) => line.includes('started again'))).toEqual([]);
  rmSync(folder, { recursive: true, force: true });
});

test('a program whose parent went away before it listened still ends, and its ready message does not crash it', async () => {
  const code = await runModule(
    `await new Promise((resolve) => setTimeout(resolve, 500));
     const { tellParentReady, whenParentGone } = await import(${JSON.stringify(moduleUrl('../lib/parent-process.ts'))});
     tellParentReady();
     whenParentGone(() => process.exit(0));
     setTimeout(() => process.exit(3), 5_000);`,
    { onSpawn: (child) => child.disconnect() },
  );
  expect(code).toBe(0);
});

test('a program whose stop hangs exits anyway', async () => {
  const started = Date.now();
  const code = await runModule(
    `const { runMain } = await import(${JSON.stringify(moduleUrl('../lib/main.ts'))});
     const { createLogger } = await import(${JSON.stringify(moduleUrl('../lib/logger.ts'))});
     await runMain(async () => ({ logger: createLogger('hangs-on-stop', 'silent'), stop: () => new Promise(() => {}) }));
     setInterval(() => {}, 1_000);
     process.kill(process.pid, 'SIGTERM');`,
  );
  expect(code).toBe(1);
  expect(Date.now() - started).toBeLessThan(25_000);
}, 40_000);

test('a start that fails says why in one line naming the log, and gives its data folder back', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shop-failed-start-'));
  const port = await freePort();
  const squatter = createServer().listen(port, '127.0.0.1');
  try {
    const supervisor = spawn(process.execPath, [fileURLToPath(new URL('../supervisor/main.ts', import.meta.url))], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, DATA_DIR: dataDir, GATEWAY_PORT: String(port) },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    supervisor.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    expect(await new Promise((resolve) => supervisor.once('exit', resolve))).toBe(1);
    // One line: why, and the log to read.
    expect(stderr.trimEnd().split('\n')).toEqual([`The shop did not start: Port ${port} (GATEWAY_PORT of gateway) is already in use. Stop what uses it, or choose other ports (see README, Configuration). The whole log: ${join(dataDir, 'supervisor.log')}`]);
    expect(existsSync(join(dataDir, 'supervisor.log'))).toBe(true);
    expect(existsSync(join(dataDir, 'supervisor.pid'))).toBe(false);
  } finally {
    squatter.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test('the embedded PostgreSQL starts whatever locale the caller has', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'shop-locale-'));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
  await chmod(dataDir, 0o755);
  let ready = false;
  const code = await runModule(
    `const { startEmbeddedPostgres } = await import(${JSON.stringify(moduleUrl('../supervisor/embedded-postgres.ts'))});
     const postgres = await startEmbeddedPostgres({ dataDir: ${JSON.stringify(join(dataDir, 'postgres'))}, port: ${await freePort()}, persistent: false });
     process.send({ ready: true });
     await postgres.stop();
     process.exit(0);`,
    {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, LANG: 'xx_XX.UTF-8', LC_ALL: 'xx_XX.UTF-8' },
      onSpawn: (child) => child.on('message', () => (ready = true)),
    },
  );
  rmSync(dataDir, { recursive: true, force: true });
  expect(ready).toBe(true);
  expect(code).toBe(0);
}, 60_000);
