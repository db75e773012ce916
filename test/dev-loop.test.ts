import { execFile } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { eventually } from './helpers/eventually.ts';
import { request } from '../harness/http.ts';
import { descendantRunning, programRunning } from '../harness/processes.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { PROGRAMS, type Program } from '../supervisor/programs.ts';

const run = promisify(execFile);
const root = fileURLToPath(new URL('../', import.meta.url));
const scripts = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;

/** A package.json script's command line, run with this Node from `cwd`: its entry point is the repository's. */
function runScript(name: string, cwd: string) {
  const [node, ...args] = (scripts[name] ?? '').split(' ');
  expect(node).toBe('node');
  return run(
    process.execPath,
    args.map((arg) => (arg.endsWith('.ts') ? join(root, arg) : arg)),
    // A data folder that cannot be made: a start that ignored .env would fail there, at once, for another reason.
    { cwd, env: { PATH: process.env['PATH'], HOME: process.env['HOME'], DATA_DIR: join(cwd, '.env', 'data') }, timeout: 20_000 },
  ).then(
    () => ({ code: 0, stderr: '' }),
    (error: unknown) => {
      const { code, stderr = '' } = error as { code?: number; stderr?: string };
      return { code, stderr };
    },
  );
}

describe.each(['start', 'dev'])('npm run %s', (script) => {
  test('reads the settings in .env', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'dotenv-'));
    try {
      writeFileSync(join(folder, '.env'), 'GATEWAY_PORT=not-a-port\n');
      const { code, stderr } = await runScript(script, folder);
      expect(code).toBe(1);
      expect(stderr).toContain('GATEWAY_PORT');
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }, 30_000);
});

/** The pid of each program, and of the PostgreSQL and Temporal servers below their wrappers. */
async function processes(supervisorPid: number): Promise<Record<string, number | undefined>> {
  const pids: Record<string, number | undefined> = {};
  // What `npm run dev` runs here: not the cluster's programs, nor the trace viewer (TRACE_VIEWER is off).
  const running = PROGRAMS.filter((program: Program) => program.mode !== 'cluster' && program.name !== 'trace-viewer');
  for (const program of running) pids[program.name] = (await programRunning(supervisorPid, program.name))?.pid;
  pids['postgres server'] = (await descendantRunning(supervisorPid, '/bin/postgres'))?.pid;
  pids['temporal server'] = (await descendantRunning(supervisorPid, 'server start-dev'))?.pid;
  return pids;
}

describe('npm run dev', () => {
  let tree: string;
  let system: RunningSystem;
  let token: string;
  beforeAll(async () => {
    // A copy of the sources to edit, never the repository's own.
    tree = mkdtempSync(join(tmpdir(), 'dev-tree-'));
    for (const folder of ['lib', 'services', 'workers', 'workflows', 'activities', 'supervisor', 'ops']) cpSync(join(root, folder), join(tree, folder), { recursive: true });
    cpSync(join(root, 'package.json'), join(tree, 'package.json'));
    symlinkSync(join(root, 'node_modules'), join(tree, 'node_modules'));
    system = await startSystem({ label: 'dev-loop', dev: true, checkout: tree });
    token = await signUserToken(system.secrets.JWT_SECRET, 'dev');
  }, 180_000);
  afterAll(async () => {
    try {
      await system.stop();
    } finally {
      rmSync(tree, { recursive: true, force: true });
    }
  });

  test('a changed source restarts the program that imports it, and nothing else', async () => {
    await request(system.gatewayUrl, 'POST', '/api/account', { token });
    await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 500 } });
    const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 200, description: 'before the edit' } });
    expect(placed.status).toBe(202);
    const order = () => request(system.gatewayUrl, 'GET', `/api/orders/${placed.body.id}`, { token });
    expect((await eventually(order, (reply) => reply.body.status === 'PAID')).body.status).toBe('PAID');
    const before = await processes(system.pid);
    expect(Object.values(before).every(Boolean)).toBe(true);

    appendFileSync(join(tree, 'services', 'orders', 'main.ts'), '// edited by the dev-loop test\n');
    const after = await eventually(
      () => processes(system.pid),
      (pids) => pids.orders !== undefined && pids.orders !== before.orders,
      30_000,
    );
    expect(after.orders).not.toBe(before.orders);
    expect({ ...after, orders: 'restarted' }).toEqual({ ...before, orders: 'restarted' });
    // The restarted service answers, with the order placed before the edit.
    const reply = await eventually(order, (answer) => answer.status === 200);
    expect(reply.body).toMatchObject({ id: placed.body.id, status: 'PAID' });
    expect(readFileSync(system.logFile, 'utf8')).toMatch(/services\/orders\/main\.ts changed: restarting orders/);
  }, 90_000);

  test('a changed workflow source restarts the payments worker (its bundle) and the relay (it imports the workflow), which pay with it', async () => {
    const restarted = ['payments-worker', 'outbox-relay'];
    const before = await processes(system.pid);
    appendFileSync(join(tree, 'workflows', 'payment.workflow.ts'), '// edited by the dev-loop test\n');
    const after = await eventually(
      () => processes(system.pid),
      (pids) => restarted.every((name) => pids[name] !== undefined && pids[name] !== before[name]),
      30_000,
    );
    for (const name of restarted) expect(after[name]).not.toBe(before[name]);
    const others = (pids: Record<string, number | undefined>) => Object.fromEntries(Object.entries(pids).filter(([name]) => !restarted.includes(name)));
    expect(others(after)).toEqual(others(before));
    // A new order is paid: the new bundle runs.
    const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 100, description: 'after the edit' } });
    const order = () => request(system.gatewayUrl, 'GET', `/api/orders/${placed.body.id}`, { token });
    expect((await eventually(order, (reply) => reply.body.status === 'PAID', 30_000)).body.status).toBe('PAID');
  }, 90_000);
});
