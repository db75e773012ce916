// Gateway guarantees that the mutation run (npm run mutation) found unchecked: each test here
// fails for a mutant of authenticate.ts, forward.ts or idempotent.ts that the older tests let live.
import { SignJWT } from 'jose';
import { request } from './helpers/http.ts';
import { startStack, type Stack } from './helpers/stack.ts';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(() => stack.stop());

const inAMinute = () => Math.floor(Date.now() / 1000) + 60;

describe('the Authorization header is read strictly', () => {
  test.each([
    ['a scheme that only ends in Bearer', (token: string) => `XBearer ${token}`],
    ['text after the token', (token: string) => `Bearer ${token} trailing`],
  ])('%s answers 401 as "invalid request", even with a good token in it', async (_name, header) => {
    const token = await stack.tokenFor('ulla');
    const answer = await request(stack.gatewayUrl, 'GET', '/api/account', { headers: { authorization: header(token) } });
    expect(answer.status).toBe(401);
    expect(answer.body.type).toBe('/problems/unauthorized');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer');
  });

  test('a subject that is not a string is no user, even when it would print as a valid user id', async () => {
    // The claim is set raw: jose's setSubject takes strings only.
    const token = await new SignJWT({ sub: 12345 as unknown as string })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime(inAMinute())
      .sign(new TextEncoder().encode(stack.jwtSecret));
    const answer = await request(stack.gatewayUrl, 'GET', '/api/account', { token });
    expect(answer.status).toBe(401);
    expect(answer.body.type).toBe('/problems/unauthorized');
    expect(answer.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
  });
});
