import { createServer, type Server } from 'node:http';
import { SignJWT, UnsecuredJWT } from 'jose';
import { freePort } from '../harness/free-port.ts';
import { serveGatewayFor, startStack, type Stack } from '../harness/stack.ts';
import { request } from '../harness/http.ts';
import { VerifiedTokens } from '../services/gateway/verified-tokens.ts';
import { until } from './helpers/eventually.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const now = () => Math.floor(Date.now() / 1000);
const sign = (claims: { sub?: string; exp?: number }, secret: string, alg = 'HS256') => {
  const jwt = new SignJWT({}).setProtectedHeader({ alg });
  if (claims.sub !== undefined) jwt.setSubject(claims.sub);
  if (claims.exp !== undefined) jwt.setExpirationTime(claims.exp);
  return jwt.sign(new TextEncoder().encode(secret));
};

/** Every /api operation the OpenAPI document names, with a made-up id for a path parameter. */
async function documentedApiRoutes(): Promise<[method: string, path: string][]> {
  const paths = (await request(stack.gatewayUrl, 'GET', '/openapi.json')).body.paths as Record<string, Record<string, unknown>>;
  return Object.entries(paths)
    .filter(([path]) => path.startsWith('/api/'))
    .flatMap(([path, operations]) => Object.keys(operations).map((method): [string, string] => [method.toUpperCase(), path.replace(/\{[^}]+\}/g, crypto.randomUUID())]));
}

describe('the gateway lets in only valid tokens', () => {
  // Each kind names a user of its own, so one kind let in cannot make another look let in.
  const badTokens: [string, (sub: string) => Promise<string | undefined>][] = [
    ['no token', () => Promise.resolve(undefined)],
    ['a malformed token', () => Promise.resolve('not-a-jwt')],
    ['a token cut short', async (sub) => (await stack.tokenFor(sub)).slice(0, -2)],
    ['alg: none', (sub) => Promise.resolve(new UnsecuredJWT({}).setSubject(sub).setExpirationTime(now() + 60).encode())],
    ['the wrong key', (sub) => sign({ sub, exp: now() + 60 }, 'x'.repeat(32))],
    ['HS512 with the right key', (sub) => sign({ sub, exp: now() + 60 }, stack.jwtSecret, 'HS512')],
    ['an expired token', (sub) => sign({ sub, exp: now() - 60 }, stack.jwtSecret)],
    ['no expiry', (sub) => sign({ sub }, stack.jwtSecret)],
    ['no subject', () => sign({ exp: now() + 60 }, stack.jwtSecret)],
    ['a subject with control characters', (sub) => sign({ sub: `${sub}\n`, exp: now() + 60 }, stack.jwtSecret)],
    ['a subject longer than 128 characters', (sub) => sign({ sub: sub.padEnd(129, 'm'), exp: now() + 60 }, stack.jwtSecret)],
    ['an empty subject', () => sign({ sub: '', exp: now() + 60 }, stack.jwtSecret)],
  ];

  test('the OpenAPI document names the routes this checks, and a good token gets past authentication on each', async () => {
    const routes = await documentedApiRoutes();
    expect(routes.length).toBeGreaterThanOrEqual(6);
    const token = await stack.tokenFor('trent');
    for (const [method, path] of routes) {
      const controller = new AbortController();
      const answer = await fetch(new URL(path, stack.gatewayUrl), { method, headers: { authorization: `Bearer ${token}` }, signal: controller.signal });
      controller.abort();
      expect([method, path, answer.status === 401]).toEqual([method, path, false]);
    }
  });

  test.each(badTokens)('%s answers 401 problem+json on every /api route of the OpenAPI document', async (name, makeToken) => {
    const mallory = `mallory-${name.replace(/\W+/g, '-')}`;
    const token = await makeToken(mallory);
    for (const [method, path] of await documentedApiRoutes()) {
      const answer = await request(stack.gatewayUrl, method, path, { token, body: method === 'POST' ? { amount: 1, description: 'x' } : undefined });
      expect([method, path, answer.status]).toEqual([method, path, 401]);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      // No token is told how to send one; a token sent is told it is not good, by RFC 6750's error code.
      expect([answer.headers.get('www-authenticate'), answer.body.detail]).toEqual(
        token === undefined
          ? ['Bearer', 'Send a token as "Authorization: Bearer <JWT>".']
          : ['Bearer error="invalid_token"', 'The token is invalid or has expired.'],
      );
    }
    const [row] = await stack.paymentsOrm.em.fork().execute<{ count: string }[]>('select count(*) from accounts where user_id like ?', [`${mallory}%`]);
    expect(Number(row?.count)).toBe(0);
  });

  test('a token let in is refused once it expires, though the gateway keeps it as verified', async () => {
    const expiresAt = now() + 2;
    const token = await sign({ sub: 'brief', exp: expiresAt }, stack.jwtSecret);
    expect((await request(stack.gatewayUrl, 'GET', '/api/orders', { token })).status).toBe(200);
    expect((await request(stack.gatewayUrl, 'GET', '/api/orders', { token })).status).toBe(200);
    await until(() => now() >= expiresAt, 'the token to expire', 5_000);
    const answer = await request(stack.gatewayUrl, 'GET', '/api/orders', { token });
    expect([answer.status, answer.body.detail]).toEqual([401, 'The token is invalid or has expired.']);
  });

  test('tokens kept as verified: the oldest go once the capacity is reached, and an expired one is not taken', () => {
    const verified = new VerifiedTokens(2);
    const later = now() + 60;
    verified.remember('a', 'ann', later);
    verified.remember('b', 'bob', later);
    verified.remember('c', 'cy', later);
    expect(['a', 'b', 'c'].map((token) => verified.subjectOf(token))).toEqual([undefined, 'bob', 'cy']);
    verified.remember('d', 'dee', now());
    expect(verified.subjectOf('d')).toBeUndefined();
  });
});

describe('local sign-in (DEV_SIGN_IN)', () => {
  test('on, it signs a token the gateway accepts', async () => {
    const signedIn = await request(stack.gatewayUrl, 'POST', '/storefront/sign-in', { body: { userId: 'walt' } });
    expect(signedIn.status).toBe(200);
    expect((await request(stack.gatewayUrl, 'GET', '/api/account', { token: signedIn.body.token })).status).toBe(404);
  });

  test('off (the default), the sign-in route answers 404 and signs nothing', async () => {
    const gateway = await serveGatewayFor(stack, {});
    try {
      const answer = await request(gateway.url, 'POST', '/storefront/sign-in', { body: { userId: 'walt' } });
      expect(answer.status).toBe(404);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.body.token).toBeUndefined();
    } finally {
      await gateway.close();
    }
  });
});

describe('internal services answer only the gateway', () => {
  test('a call without the internal token answers 401', async () => {
    const answer = await request(stack.paymentsUrl, 'GET', '/api/account', { headers: { 'x-user-id': 'alice' } });
    expect(answer.status).toBe(401);
    expect(answer.headers.get('content-type')).toBe('application/problem+json');
  });

  test('a call with a wrong internal token answers 401', async () => {
    const answer = await request(stack.paymentsUrl, 'POST', '/api/account', {
      headers: { 'x-user-id': 'alice', 'x-internal-token': 'y'.repeat(64) },
    });
    expect(answer.status).toBe(401);
  });

  test('health checks need no token', async () => {
    expect((await request(stack.paymentsUrl, 'GET', '/healthz')).status).toBe(200);
    expect((await request(stack.paymentsUrl, 'GET', '/readyz')).status).toBe(200);
    expect((await request(stack.gatewayUrl, 'GET', '/healthz')).status).toBe(200);
    expect((await request(stack.gatewayUrl, 'GET', '/readyz')).status).toBe(200);
  });
});

describe('a payments service that is down or hangs', () => {
  let hanging: Server;
  let hangingUrl: string;
  let downUrl: string;
  beforeAll(async () => {
    // A claimed port that nothing listens on (fetch refuses low ports such as 9 before connecting).
    downUrl = `http://127.0.0.1:${await freePort()}`;
    // Accepts connections and never answers.
    hanging = createServer(() => undefined);
    await new Promise<void>((resolve) => hanging.listen(0, '127.0.0.1', resolve));
    hangingUrl = `http://127.0.0.1:${(hanging.address() as { port: number }).port}`;
  });
  afterAll(() => {
    hanging.closeAllConnections();
    hanging.close();
  });

  async function gatewayTo(paymentsUrl: string) {
    return serveGatewayFor(stack, { PAYMENTS_URL: paymentsUrl, UPSTREAM_TIMEOUT_MS: '300' });
  }

  test.each([
    ['down: never delivered, 503 with Retry-After', () => downUrl, 503, '1'],
    ['hanging: outcome unknown, 504', () => hangingUrl, 504, null],
  ])('%s; problem+json, and /readyz says not ready', async (_name, url, status, retryAfter) => {
    const gateway = await gatewayTo(url());
    try {
      const token = await stack.tokenFor('ivan');
      const answer = await request(gateway.url, 'GET', '/api/account', { token });
      expect(answer.status).toBe(status);
      expect(answer.headers.get('content-type')).toBe('application/problem+json');
      expect(answer.headers.get('retry-after')).toBe(retryAfter);
      expect((await request(gateway.url, 'GET', '/readyz')).status).toBe(503);
    } finally {
      await gateway.close();
    }
  });
});
