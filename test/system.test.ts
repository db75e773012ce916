import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { request } from './helpers/http.ts';
import { startSystem, type RunningSystem } from './helpers/system.ts';

const run = promisify(execFile);

/** The process ids of a process's children, with their command lines. */
async function childrenOf(pid: number): Promise<{ pid: number; command: string }[]> {
  const { stdout } = await run('ps', ['-o', 'pid=,args=', '--ppid', String(pid)]).catch(() => ({ stdout: '' }));
  return stdout
    .trim()
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const [pid, ...command] = line.trim().split(/\s+/);
      return { pid: Number(pid), command: command.join(' ') };
    });
}

async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

describe('npm start', () => {
  let system: RunningSystem;
  let token: string;
  beforeAll(async () => {
    system = await startSystem();
    token = await signUserToken(system.secrets.JWT_SECRET, 'kim');
  }, 60_000);
  afterAll(() => system.stop());

  test('serves the account endpoints through the gateway, each program in its own process', async () => {
    const commands = (await childrenOf(system.pid)).map((child) => child.command).join('\n');
    expect(commands).toMatch(/services\/payments\/main\.ts/);
    expect(commands).toMatch(/services\/gateway\/main\.ts/);
    expect(commands).toMatch(/postgres/);

    expect((await request(system.gatewayUrl, 'POST', '/api/account', { token })).status).toBe(201);
    const deposit = await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 900 } });
    expect(deposit.body.balance).toBe(900);
  });

  test('a payments service killed with SIGKILL is restarted, and nothing is lost', async () => {
    const payments = (await childrenOf(system.pid)).find((child) => child.command.includes('services/payments/main.ts'));
    expect(payments).toBeDefined();
    process.kill(payments?.pid ?? 0, 'SIGKILL');

    const answer = await eventually(
      () => request(system.gatewayUrl, 'GET', '/api/account', { token }),
      (reply) => reply.status === 200,
    );
    expect(answer.body.balance).toBe(900);
    const restarted = (await childrenOf(system.pid)).find((child) => child.command.includes('services/payments/main.ts'));
    expect(restarted?.pid).not.toBe(payments?.pid);
  });

  test('stopping leaves no process behind', async () => {
    const children = await childrenOf(system.pid);
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
