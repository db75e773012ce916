import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { buildImage, type BuiltImage } from '../harness/dockerfile.ts';
import { finalOrder } from '../harness/orders.ts';
import { startStack, type Stack } from '../harness/stack.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';
import { programNamed, type ProgramName } from '../supervisor/programs.ts';

// The image as the Dockerfile builds it (harness/dockerfile.ts: its installs, copies and build
// steps, in a folder), and its workers and relay started from there, as compose starts them,
// against a real PostgreSQL and Temporal dev server: an order gets paid. The services and the
// gateway run from the repository; nothing of theirs depends on how the image was installed.

const FROM_IMAGE: ProgramName[] = ['payments-worker', 'orders-worker', 'outbox-relay'];

let dir: string;
let image: BuiltImage;
let temporal: TestWorkflowEnvironment;
let stack: Stack;
const running: { name: string; child: ChildProcess; output: string[] }[] = [];

/** Starts a program of the registry from the image's folder, with only the settings compose would give it; resolves once it says it is ready. */
async function startFromImage(name: ProgramName, env: Record<string, string>): Promise<void> {
  const child = spawn(process.execPath, [programNamed(name).entry], {
    cwd: image.dir,
    env: { PATH: process.env.PATH ?? '', ...image.env, LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  const program = { name, child, output: [] as string[] };
  running.push(program);
  for (const stream of [child.stdout, child.stderr]) stream?.on('data', (chunk: Buffer) => program.output.push(chunk.toString()));
  const outcome = await Promise.race([once(child, 'message').then(() => 'ready'), once(child, 'exit').then(() => 'exited')]);
  if (outcome === 'exited') throw new Error(`${name} from the image exited (${String(child.exitCode)}) before it was ready:\n${program.output.join('').slice(-4_000)}`);
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'shop-image-'));
  const started = Date.now();
  image = await buildImage(dir);
  const steps = image.steps.map((step) => `  ${(step.ms / 1000).toFixed(1)} s  ${step.command}`).join('\n');
  console.log(`The image's folder was built in ${((Date.now() - started) / 1000).toFixed(1)} s:\n${steps}`);
  [temporal, stack] = await Promise.all([startTemporalDevServer(), startStack()]);
  const env = { TEMPORAL_ADDRESS: temporal.address, PAYMENTS_DATABASE_URL: stack.paymentsDatabaseUrl, ORDERS_DATABASE_URL: stack.ordersDatabaseUrl };
  for (const name of FROM_IMAGE) await startFromImage(name, env);
}, 600_000);

afterAll(async () => {
  await Promise.all(
    running.map(async ({ child }) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      await exited;
    }),
  );
  await stack.stop();
  await temporal.teardown();
  await rm(dir, { recursive: true, force: true });
}, 60_000);

test("the image's workers and relay pay an order: its payments worker runs the workflow bundled at build time", async () => {
  const client = await stack.fundedClientFor('ida', 1_000);
  const placed = await client('POST', '/api/orders', { body: { amount: 400, description: 'from the image' } });
  expect(placed.status).toBe(202);
  const order = await finalOrder(client, String(placed.body.id));
  expect(order.body).toMatchObject({ status: 'PAID', failureReason: null });
  expect((await client('GET', '/api/account')).body).toMatchObject({ balance: 600 });
  // Nothing the image ran had to bundle at start-up: it could not have (no native binding).
  for (const { name, output } of running) expect([name, output.join('')]).not.toEqual([name, expect.stringMatching(/webpack|bundl/i)]);
}, 60_000);
