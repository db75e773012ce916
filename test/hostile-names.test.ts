import { signUserToken } from '../services/gateway/sign-token.ts';
import { openEventStream } from './helpers/event-stream.ts';
import { request } from '../harness/http.ts';
import { descendantsOf } from '../harness/processes.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';

// User ids are whatever a token names. Names that mean something to EventEmitters and plain
// objects must be ordinary users: they pay, they get their own events and nobody else's, and
// no process dies of them. Run on the whole system, so a dead process shows as a restart.

const HOSTILE_IDS = ['error', 'newListener', 'removeListener', '__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf'];

let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem({ label: 'hostile-names' });
}, 180_000);
afterAll(() => system.stop());

const as = async (userId: string) => {
  const token = await signUserToken(system.secrets.JWT_SECRET, userId);
  return {
    token,
    call: (method: string, path: string, body?: unknown) => request(system.gatewayUrl, method, path, { token, body }),
  };
};

async function paidOrder(user: Awaited<ReturnType<typeof as>>, description: string): Promise<string> {
  const placed = await user.call('POST', '/api/orders', { amount: 100, description });
  expect(placed.status).toBe(202);
  const deadline = Date.now() + 30_000;
  for (;;) {
    const order = await user.call('GET', `/api/orders/${placed.body.id}`);
    if (order.body.status !== 'NEW' || Date.now() > deadline) {
      expect(order.body.status).toBe('PAID');
      return order.body.id as string;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

test('user ids named like emitter events and prototype members are ordinary users; no process restarts; others unaffected', async () => {
  // The system's programs (each a .ts file run by Node); database backends come and go.
  const programs = async () => (await descendantsOf(system.pid)).filter((process) => process.command.includes('.ts'));
  const processesBefore = await programs();
  const users = new Map(await Promise.all(HOSTILE_IDS.map(async (id) => [id, await as(id)] as const)));
  const alice = await as('alice');
  // newListener subscribes first, so that an emitter would tell it of every later subscriber.
  const newListenerStream = await openEventStream(`${system.gatewayUrl}/api/orders/events`, users.get('newListener')?.token ?? '');
  const aliceStream = await openEventStream(`${system.gatewayUrl}/api/orders/events`, alice.token);

  for (const [id, user] of users) {
    expect((await user.call('POST', '/api/account')).status).toBe(201);
    expect((await user.call('POST', '/api/account/deposits', { amount: 1_000 })).body).toMatchObject({ userId: id, balance: 1_000 });
    // No stream of theirs is open (but newListener's): their status change has no subscriber.
    await paidOrder(user, `order of ${id}`);
    expect((await user.call('GET', '/api/account')).body.balance).toBe(900);
    expect((await user.call('GET', '/api/orders')).body.items).toHaveLength(1);
  }

  expect((await alice.call('POST', '/api/account')).status).toBe(201);
  await alice.call('POST', '/api/account/deposits', { amount: 500 });
  const aliceOrder = await paidOrder(alice, 'green tea');
  const aliceEvent = await aliceStream.next();
  expect(JSON.parse(aliceEvent.data)).toMatchObject({ id: aliceOrder, status: 'PAID' });

  // The first thing newListener hears is its own order, not another user's id.
  const heard = await newListenerStream.next();
  expect(heard.event).toBe('order');
  expect(JSON.parse(heard.data)).toMatchObject({ description: 'order of newListener', status: 'PAID' });
  newListenerStream.close();
  aliceStream.close();

  const processesAfter = await programs();
  expect(processesAfter).toEqual(processesBefore);
  console.log(`hostile user ids: ${HOSTILE_IDS.length} tried (${HOSTILE_IDS.join(', ')}), ${processesBefore.length} processes, none restarted`);
});

test('file names from the URL that name prototype members answer 404, never 500', async () => {
  const names = ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'index.html'];
  const paths = names.flatMap((name) => [`/storefront/${name}`, `/docs/${name}`]);
  for (const path of paths) {
    const answer = await request(system.gatewayUrl, 'GET', path);
    expect({ path, status: answer.status }).toEqual({ path, status: 404 });
  }
  console.log(`hostile file names: ${paths.length} tried (storefront and docs)`);
});
