import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import pg from 'pg';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { request } from '../harness/http.ts';
import { eventually } from './helpers/eventually.ts';
import { lockWaiters } from './helpers/lock-waiters.ts';
import { descendantsOf, programRunning } from '../harness/processes.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import type { ProgramName } from '../supervisor/programs.ts';

const run = promisify(execFile);

/** SIGKILLs the supervisor's child that runs the program; returns its pid. */
async function killChild(supervisorPid: number, program: ProgramName): Promise<number> {
  const child = await programRunning(supervisorPid, program);
  if (!child) throw new Error(`no ${program} is running`);
  process.kill(child.pid, 'SIGKILL');
  return child.pid;
}

describe('npm start', () => {
  let system: RunningSystem;
  let token: string;
  beforeAll(async () => {
    system = await startSystem({ label: 'system-test' });
    token = await signUserToken(system.secrets.JWT_SECRET, 'kim');
  }, 180_000);
  afterAll(() => system.stop());

  test('serves the account endpoints through the gateway, each program in its own process', async () => {
    const commands = (await descendantsOf(system.pid)).map((child) => child.command).join('\n');
    expect(commands).toMatch(/services\/payments\/main\.ts/);
    expect(commands).toMatch(/services\/gateway\/main\.ts/);
    expect(commands).toMatch(/postgres/);

    expect((await request(system.gatewayUrl, 'POST', '/api/account', { token })).status).toBe(201);
    const deposit = await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 900 } });
    expect(deposit.body.balance).toBe(900);
  });

  test('pays an order end to end: relay, workflow, both workers', async () => {
    const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 100, description: 'e2e' } });
    expect(placed.status).toBe(202);
    const paid = await eventually(
      () => request(system.gatewayUrl, 'GET', `/api/orders/${placed.body.id}`, { token }),
      (reply) => reply.body.status !== 'NEW',
    );
    expect(paid.body.status).toBe('PAID');
    expect((await request(system.gatewayUrl, 'GET', '/api/account', { token })).body.balance).toBe(800);
  });

  test('a payments worker killed in the middle of a debit: the order is still paid, once', async () => {
    const payments = new pg.Client({ connectionString: system.postgresUrl('payments') });
    await payments.connect();
    try {
      // Hold the account row, so the next debit waits inside its transaction.
      await payments.query('begin');
      await payments.query(`select * from accounts where user_id = 'kim' for update`);
      const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 50, description: 'mid-kill' } });
      expect(await lockWaiters(system.postgresUrl('payments'), '%update accounts%', 1)).toBe(1);
      await killChild(system.pid, 'payments-worker');
      await payments.query('commit');

      const paid = await eventually(
        () => request(system.gatewayUrl, 'GET', `/api/orders/${placed.body.id}`, { token }),
        (reply) => reply.body.status !== 'NEW',
        45_000,
      );
      expect(paid.body.status).toBe('PAID');
      const debits = await payments.query(`select count(*)::int as n from ledger_entries where order_id = $1`, [placed.body.id]);
      expect(debits.rows[0].n).toBe(1);
      expect((await request(system.gatewayUrl, 'GET', '/api/account', { token })).body.balance).toBe(750);
    } finally {
      await payments.end();
    }
  }, 60_000);

  test('a payments service killed with SIGKILL in the middle of a deposit is restarted, and nothing is lost or doubled', async () => {
    const balance = async () => (await request(system.gatewayUrl, 'GET', '/api/account', { token })).body.balance as number;
    const before = await balance();
    const payments = new pg.Client({ connectionString: system.postgresUrl('payments') });
    await payments.connect();
    const deposit = () => request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 25 }, headers: { 'idempotency-key': 'mid-kill' } });
    try {
      // Hold the account row, so the deposit waits inside its transaction when the kill lands.
      await payments.query('begin');
      await payments.query(`select * from accounts where user_id = 'kim' for update`);
      const inFlight = deposit();
      // Watched from a connection of its own: inside the holding transaction, pg_stat_activity keeps its first snapshot.
      expect(await lockWaiters(system.postgresUrl('payments'), '%update accounts%', 1)).toBe(1);
      const killed = await killChild(system.pid, 'payments');
      expect((await inFlight).status).toBeGreaterThanOrEqual(500);
      await payments.query('commit');
      const restarted = await eventually(() => programRunning(system.pid, 'payments'), (child) => child !== undefined && child.pid !== killed);
      expect(restarted?.pid).not.toBe(killed);
    } finally {
      await payments.end();
    }

    // The cut deposit never committed: its retry runs afresh (not a replay), once.
    const retry = await eventually(deposit, (reply) => reply.status === 201);
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(retry.body.balance).toBe(before + 25);
    const again = await deposit();
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await balance()).toBe(before + 25);
  }, 60_000);

  test('a second npm start on the same data says the system is already running', async () => {
    const second = await run(process.execPath, [new URL('../supervisor/main.ts', import.meta.url).pathname], {
      env: system.env,
    }).then(
      () => ({ code: 0, stderr: '' }),
      (error: unknown) => error as { code: number; stderr: string },
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toContain(`already running from ${system.dataDir} (supervisor pid ${system.pid})`);
  });

  test('every HTTP process and both workers serve Prometheus metrics on ports of their own, never on the API ports', async () => {
    const scrape = async (port: number | undefined) => (await fetch(`http://127.0.0.1:${port ?? 0}/metrics`)).text();
    expect(await scrape(system.ports.GATEWAY_METRICS_PORT)).toContain('http_request_duration_seconds_bucket');
    expect(await scrape(system.ports.PAYMENTS_METRICS_PORT)).toMatch(/payments_by_outcome\{[^}]*outcome="PAID"[^}]*\} \d+/);
    const orders = await scrape(system.ports.ORDERS_METRICS_PORT);
    expect(orders).toMatch(/outbox_backlog\{[^}]*\} 0/);
    expect(orders).toContain('outbox_oldest_unpublished_age_seconds');
    expect(await scrape(system.ports.PAYMENTS_WORKER_METRICS_PORT)).toContain('temporal_');
    expect(await scrape(system.ports.ORDERS_WORKER_METRICS_PORT)).toContain('temporal_');
    // The public port has no /metrics; a service's API port wants the internal token for anything.
    const expected = { [system.gatewayUrl]: 404, [`http://127.0.0.1:${system.ports.PAYMENTS_PORT}`]: 401, [`http://127.0.0.1:${system.ports.ORDERS_PORT}`]: 401 };
    for (const [url, status] of Object.entries(expected)) {
      const answer = await fetch(`${url}/metrics`);
      expect([url, answer.status]).toEqual([url, status]);
      expect(await answer.text()).not.toContain('process_cpu');
    }
  });

  test('stopping leaves no process behind', async () => {
    const children = await descendantsOf(system.pid);
    await system.stop();
    const alive = children.filter((child) => {
      try {
        process.kill(child.pid, 0);
        return true;
      } catch {
        return false;
      }
    });
    expect(alive).toEqual([]);
  });
});
