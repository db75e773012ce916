import { jwtVerify, type JWTPayload } from 'jose';
import type { Middleware } from 'koa';
import { HttpProblem } from '../../lib/http/problem.ts';

/** User ids travel to the services in a header, so they are kept to visible ASCII. */
export const USER_ID_FORMAT = /^[\x21-\x7e]{1,128}$/;
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;

/**
 * Accepts only HS256 tokens signed with our secret that carry a subject and have not expired;
 * `alg: none` and every other algorithm are refused by the allow-list.
 */
export function authenticate(jwtSecret: string): Middleware {
  const key = new TextEncoder().encode(jwtSecret);
  return async (ctx, next) => {
    const token = BEARER.exec(ctx.get('authorization'))?.[1];
    if (!token) throw unauthorized('Send a token as "Authorization: Bearer <JWT>".', 'Bearer');
    const subject = await verifiedSubject(token, key);
    if (!subject) throw unauthorized('The token is invalid or has expired.', 'Bearer error="invalid_token"');
    ctx.state.userId = subject;
    await next();
  };
}

async function verifiedSubject(token: string, key: Uint8Array): Promise<string | undefined> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }));
  } catch {
    return undefined;
  }
  return typeof payload.sub === 'string' && USER_ID_FORMAT.test(payload.sub) ? payload.sub : undefined;
}

function unauthorized(detail: string, challenge: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', detail, { headers: { 'www-authenticate': challenge } });
}
