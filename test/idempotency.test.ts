import Koa from 'koa';
import { HttpProblem } from '../lib/http/problem.ts';
import { serve } from '../lib/http/server.ts';
import { idempotent } from '../lib/idempotency/idempotent.ts';
import { request } from '../harness/http.ts';
import { startStack, type Stack, type Client } from '../harness/stack.ts';
import { readBooks } from './helpers/books.ts';
import { failLedgerWritesOf } from './helpers/ledger-fault.ts';
import { holdRows, lockWaiters } from './helpers/lock-waiters.ts';
import { sendRaw } from './helpers/raw-http.ts';

let stack: Stack;
let frank: Client;
beforeAll(async () => {
  stack = await startStack();
  frank = await stack.clientFor('frank');
  await frank('POST', '/api/account');
});
afterAll(() => stack.stop());

const withKey = (key: string, body: unknown) => ({ body, headers: { 'idempotency-key': key } });

describe('Idempotency-Key on deposits', () => {
  test('a retry with the same key and body gets the first answer and changes nothing', async () => {
    const first = await frank('POST', '/api/account/deposits', withKey('deposit-1', { amount: 300 }));
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    const before = await readBooks(stack.paymentsOrm, 'frank');

    const retry = await frank('POST', '/api/account/deposits', withKey('deposit-1', { amount: 300 }));
    expect(retry.status).toBe(201);
    expect(retry.body).toEqual(first.body);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    // The first answer had no Location, so the replay has none either (not an empty or 'null' one).
    expect(retry.headers.get('location')).toBeNull();
    expect(await readBooks(stack.paymentsOrm, 'frank')).toEqual(before);
  });

  test('without a key, each request is carried out: two deposits are two deposits', async () => {
    const before = await readBooks(stack.paymentsOrm, 'frank');
    for (let i = 0; i < 2; i++) {
      const answer = await frank('POST', '/api/account/deposits', { body: { amount: 7 } });
      expect(answer.status).toBe(201);
      expect(answer.headers.get('idempotent-replayed')).toBeNull();
    }
    expect((await readBooks(stack.paymentsOrm, 'frank')).balance).toBe((before.balance ?? 0) + 14);
  });

  test('the same body written differently is the same request', async () => {
    await frank('POST', '/api/account/deposits', withKey('deposit-2', '{"amount":5,"note":"x"}'));
    const retry = await frank('POST', '/api/account/deposits', withKey('deposit-2', '{ "note": "x", "amount": 5 }'));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  test('the same key with another body answers 422 and changes nothing', async () => {
    await frank('POST', '/api/account/deposits', withKey('deposit-3', { amount: 10 }));
    const before = await readBooks(stack.paymentsOrm, 'frank');
    const reused = await frank('POST', '/api/account/deposits', withKey('deposit-3', { amount: 11 }));
    expect(reused.status).toBe(422);
    expect(reused.headers.get('content-type')).toBe('application/problem+json');
    expect(reused.body).toMatchObject({ type: '/problems/idempotency-key-reused', detail: 'This Idempotency-Key was already used for a different request.' });
    expect(await readBooks(stack.paymentsOrm, 'frank')).toEqual(before);
  });

  test('a retry while the first is still in flight answers 409', async () => {
    // Hold the lock the first request would hold, as if it were still running.
    const em = stack.paymentsOrm.em.fork();
    await em.transactional(async (tx) => {
      await tx.execute('select pg_advisory_xact_lock(hashtext(?), hashtext(?))', ['frank', 'deposit-4']);
      const retry = await frank('POST', '/api/account/deposits', withKey('deposit-4', { amount: 1 }));
      expect(retry.status).toBe(409);
      expect(retry.headers.get('content-type')).toBe('application/problem+json');
      expect(retry.body).toMatchObject({ type: '/problems/request-in-progress', detail: 'A request with this Idempotency-Key is still in progress; retry shortly.' });
    });
    const afterwards = await frank('POST', '/api/account/deposits', withKey('deposit-4', { amount: 1 }));
    expect(afterwards.status).toBe(201);
  });

  test('concurrent requests with one key deposit once', async () => {
    const before = await readBooks(stack.paymentsOrm, 'frank');
    // The first request is held inside its deposit by a lock on the account, so the other nine
    // certainly arrive while it runs.
    const account = await holdRows(stack.paymentsDatabaseUrl, 'select 1 from accounts where user_id = $1 for update', ['frank']);
    const first = frank('POST', '/api/account/deposits', withKey('deposit-5', { amount: 1000 }));
    expect(await lockWaiters(stack.paymentsDatabaseUrl, '%update accounts%', 1)).toBe(1);
    // Answered while the first still runs; should they wait for it instead, they would wait for
    // ever on the account row held here: they get ten seconds, then the row is let go.
    const answering = Promise.all(Array.from({ length: 9 }, () => frank('POST', '/api/account/deposits', withKey('deposit-5', { amount: 1000 }))));
    const inTime = await Promise.race([answering.then(() => true), new Promise<false>((resolve) => setTimeout(() => resolve(false), 10_000))]);
    await account.release();
    expect(inTime).toBe(true);
    const others = await answering;
    expect((await first).status).toBe(201);
    expect(others.map((answer) => answer.status)).toEqual(Array.from({ length: 9 }, () => 409));
    const after = await readBooks(stack.paymentsOrm, 'frank');
    expect(after.balance).toBe((before.balance ?? 0) + 1000);
    expect(after.ledgerEntries).toBe(before.ledgerEntries + 1);
    const retry = await frank('POST', '/api/account/deposits', withKey('deposit-5', { amount: 1000 }));
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
  });

  test('a problem answer is remembered too', async () => {
    const grace = await stack.clientFor('grace');
    const first = await grace('POST', '/api/account/deposits', withKey('early', { amount: 5 }));
    expect(first.status).toBe(404);
    await grace('POST', '/api/account');
    const retry = await grace('POST', '/api/account/deposits', withKey('early', { amount: 5 }));
    expect(retry.status).toBe(404);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('content-type')).toBe('application/problem+json');
    expect((await readBooks(stack.paymentsOrm, 'grace')).balance).toBe(0);
  });

  // Node joins a repeated header into one value, 'a, b', which is no valid key: a client that sent
  // two keys is told so, instead of its request being carried out as if it had sent none.
  test('an Idempotency-Key sent twice answers 422 and changes nothing', async () => {
    const before = await readBooks(stack.paymentsOrm, 'frank');
    const body = '{"amount":1}';
    const head = [
      'POST /api/account/deposits HTTP/1.1',
      'host: shop',
      `authorization: Bearer ${await stack.tokenFor('frank')}`,
      'content-type: application/json',
      `content-length: ${body.length}`,
      'idempotency-key: twice-a',
      'idempotency-key: twice-b',
      'connection: close',
    ];
    const exchange = await sendRaw(stack.gatewayUrl, `${head.join('\r\n')}\r\n\r\n${body}`);
    expect(exchange.statuses).toEqual([422]);
    expect(exchange.answer).toContain('"pointer":"header:idempotency-key"');
    expect(await readBooks(stack.paymentsOrm, 'frank')).toEqual(before);
  });

  // No route of ours answers exactly 400 after the middleware today (the body parser's 400 comes
  // before it), but the middleware keeps every answer below 500, a 400 as much as a 404.
  test('an answer of exactly 400 is remembered, and replayed as a problem document', async () => {
    const app = new Koa()
      .use(async (ctx, next) => {
        ctx.state.userId = 'iris';
        ctx.state.em = stack.paymentsOrm.em.fork();
        await next();
      })
      .use(idempotent())
      .use(() => {
        throw new HttpProblem(400, 'invalid-query', 'The query string is not valid.');
      });
    const server = await serve(app, '127.0.0.1', 0);
    try {
      const send = () => request(server.url, 'POST', '/anything', { headers: { 'idempotency-key': 'exactly-400' } });
      const first = await send();
      expect(first.status).toBe(400);
      const retry = await send();
      expect(retry.status).toBe(400);
      expect(retry.headers.get('idempotent-replayed')).toBe('true');
      expect(retry.headers.get('content-type')).toBe('application/problem+json');
      expect(retry.body).toEqual(first.body);
    } finally {
      await server.close();
    }
  });

  test('a 5xx answer is not remembered: the retry with the same key runs afresh', async () => {
    const hank = await stack.clientFor('hank');
    await hank('POST', '/api/account');
    // The payments database fails Hank's ledger writes for a while: a real 5xx from the service.
    const restore = await failLedgerWritesOf(stack.paymentsOrm, 'hank');
    let failed;
    try {
      failed = await hank('POST', '/api/account/deposits', withKey('while-down', { amount: 5 }));
    } finally {
      await restore();
    }
    expect(failed.status).toBeGreaterThanOrEqual(500);

    const retry = await hank('POST', '/api/account/deposits', withKey('while-down', { amount: 5 }));
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(await readBooks(stack.paymentsOrm, 'hank')).toEqual({ balance: 5, ledgerTotal: 5, ledgerEntries: 1 });
  });

  test('keys belong to one user', async () => {
    const heidi = await stack.clientFor('heidi');
    await heidi('POST', '/api/account');
    const answer = await heidi('POST', '/api/account/deposits', withKey('deposit-1', { amount: 42 }));
    expect(answer.status).toBe(201);
    expect(answer.headers.get('idempotent-replayed')).toBeNull();
    expect(answer.body.balance).toBe(42);
  });

  test('a malformed key answers 422 and changes nothing', async () => {
    const before = await readBooks(stack.paymentsOrm, 'frank');
    const answer = await frank('POST', '/api/account/deposits', withKey('k'.repeat(256), { amount: 1 }));
    expect(answer.status).toBe(422);
    expect(answer.body).toMatchObject({ type: '/problems/invalid-idempotency-key', detail: 'The Idempotency-Key header is not valid.' });
    expect(answer.body.errors).toEqual([{ pointer: 'header:idempotency-key', detail: 'must be 1 to 255 visible ASCII characters' }]);
    expect(await readBooks(stack.paymentsOrm, 'frank')).toEqual(before);
  });

  // The documented format is 1 to 255 characters: an empty key is a malformed key, not no key. Read
  // as none, its retry (with the same empty key) would deposit twice.
  test('an empty key answers 422 and changes nothing, like any other malformed key', async () => {
    const before = await readBooks(stack.paymentsOrm, 'frank');
    const answer = await frank('POST', '/api/account/deposits', withKey('', { amount: 1 }));
    expect(answer.status).toBe(422);
    expect(answer.body.errors).toEqual([{ pointer: 'header:idempotency-key', detail: 'must be 1 to 255 visible ASCII characters' }]);
    expect(await readBooks(stack.paymentsOrm, 'frank')).toEqual(before);
  });
});
