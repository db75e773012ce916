import { fork } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { freePort } from '../harness/free-port.ts';
import { request } from '../harness/http.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { descendantsOf } from '../harness/processes.ts';
import { startSystem } from '../harness/system.ts';

// The harness that starts the whole system for tests, benches and chaos runs: a start that fails
// says why, and the caller's shell cannot change the system under test.

test('a port that is taken ends the start at once, naming the port and its program', async () => {
  const port = await freePort();
  const squatter = createServer().listen(port, '127.0.0.1');
  try {
    const started = Date.now();
    const failure = await startSystem({ env: { GATEWAY_PORT: String(port) }, label: 'expected-failure-port-taken' }).then(
      () => 'started',
      (error: unknown) => String(error),
    );
    expect(failure).toContain('The system did not start: the supervisor exited (code 1).');
    expect(failure).toContain(`Port ${port} (GATEWAY_PORT of gateway) is already in use`);
    expect(failure).toMatch(/The whole log: .*expected-failure-port-taken-.*\.log/);
    expect(Date.now() - started).toBeLessThan(30_000);
  } finally {
    squatter.close();
  }
}, 200_000);

test('a program that dies before it is ready fails the start with its own last lines, not a restart loop', async () => {
  // An address that is not this machine's: the gateway cannot listen, as with a port taken late.
  const failure = await startSystem({ env: { GATEWAY_HOST: '192.0.2.1' }, label: 'expected-failure-gateway-cannot-listen' }).then(
    () => 'started',
    (error: unknown) => String(error),
  );
  expect(failure).toContain('The system did not start: the supervisor exited (code 1).');
  expect(failure).toContain('The shop did not start: gateway exited (code 1) before it was ready, 3 times.');
  expect(failure).toMatch(/Ready: (postgres|temporal), (postgres|temporal), (payments|orders), (payments|orders)\b/);
  expect(failure).toMatch(/Waiting for: .*gateway \(port \d+ says it is ready\)/);
  // The whole log, named in the message, has the gateway's own words.
  const logFile = /The whole log: (\S+system-logs\/\S+\.log)/.exec(failure)?.[1] ?? '';
  expect(readFileSync(logFile, 'utf8')).toMatch(/gateway\s+\|.*EADDRNOTAVAIL/);
}, 200_000);

describe('with the documented settings in the caller’s shell', () => {
  const hostile = {
    JWT_SECRET: 'a-secret-from-the-callers-shell-0123456789',
    INTERNAL_TOKEN: 'a-token-from-the-callers-shell-0123456789',
    DATA_DIR: '/nonexistent/shop-data',
    GATEWAY_PORT: '1',
    EMBEDDED_POSTGRES_PORT: '2',
    TEMPORAL_ADDRESS: '192.0.2.1:7233',
    LOG_LEVEL: 'no-such-level',
    // A locale this machine lacks would stop initdb.
    LANG: 'xx_XX.UTF-8',
  };
  const saved: Record<string, string | undefined> = {};
  beforeAll(() => {
    for (const [name, value] of Object.entries(hostile)) {
      saved[name] = process.env[name];
      process.env[name] = value;
    }
  });
  afterAll(() => {
    for (const [name, value] of Object.entries(saved)) {
      if (value === undefined) Reflect.deleteProperty(process.env, name);
      else process.env[name] = value;
    }
  });

  test('the system under test ignores them and uses its own', async () => {
    const system = await startSystem({ label: 'hostile-env' });
    try {
      expect(system.secrets.JWT_SECRET).not.toBe(hostile.JWT_SECRET);
      expect(system.dataDir).not.toBe(hostile.DATA_DIR);
      expect(system.ports.GATEWAY_PORT).not.toBe(1);
      const token = await signUserToken(system.secrets.JWT_SECRET, 'harness');
      expect((await request(system.gatewayUrl, 'POST', '/api/account', { token })).status).toBe(201);
      const stranger = await signUserToken(hostile.JWT_SECRET, 'harness');
      expect((await request(system.gatewayUrl, 'GET', '/api/account', { token: stranger })).status).toBe(401);
    } finally {
      await system.stop();
    }
  }, 200_000);
});

test('a system whose test process dies, however it dies, stops with every process it ran', async () => {
  // A stand-in for a Jest worker that is killed while its system runs: it starts one and hangs.
  const harness = new URL('../harness/system.ts', import.meta.url).href;
  const worker = fork('--input-type=module', ['-e', `const { startSystem } = await import(${JSON.stringify(harness)}); const system = await startSystem({ label: 'orphaned' }); process.send({ pid: system.pid, dataDir: system.dataDir }); setInterval(() => {}, 1e6);`], {
    execArgv: [],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const system = await new Promise<{ pid: number; dataDir: string }>((resolve, reject) => {
    worker.once('message', (message) => resolve(message as { pid: number; dataDir: string }));
    worker.once('exit', (code) => reject(new Error(`the stand-in exited (code ${code}) before its system was up`)));
  });
  const processes = [{ pid: system.pid, command: 'supervisor' }, ...(await descendantsOf(system.pid))];
  expect(processes.some((process) => process.command.includes('temporal server start-dev'))).toBe(true);
  worker.kill('SIGKILL');

  const alive = () => processes.filter(({ pid }) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  const deadline = Date.now() + 60_000;
  while (alive().length > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  expect(alive()).toEqual([]);
  await rm(system.dataDir, { recursive: true, force: true });
}, 200_000);
