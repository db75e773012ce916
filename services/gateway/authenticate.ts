import { jwtVerify, type CryptoKey, type JWTPayload } from 'jose';
import type { Middleware } from 'koa';
import { HttpProblem } from '../../lib/http/problem.ts';
import { VerifiedTokens } from './verified-tokens.ts';

/** User ids travel to the services in a header, so they are kept to visible ASCII. */
export const USER_ID_FORMAT = /^[\x21-\x7e]{1,128}$/;
const BEARER = /^Bearer ([A-Za-z0-9._~+/=-]+)$/i;
/** Clients whose tokens are kept verified at once: a few MB at most. */
const VERIFIED_TOKENS_KEPT = 10_000;

/**
 * Accepts only HS256 tokens signed with our secret that carry a subject and have not expired;
 * `alg: none` and every other algorithm are refused by the allow-list.
 */
export function authenticate(jwtSecret: string): Middleware {
  // Imported once: given the secret's bytes, jose imports them into a Web Crypto key at every
  // verification, which doubles its cost (about 35 against 90 µs a token, measured here).
  const key = crypto.subtle.importKey('raw', new TextEncoder().encode(jwtSecret), { name: 'HMAC', hash: 'SHA-256' }, false, ['verify']);
  const verified = new VerifiedTokens(VERIFIED_TOKENS_KEPT);
  return async (ctx, next) => {
    const token = BEARER.exec(ctx.get('authorization'))?.[1];
    if (!token) throw unauthorized('Send a token as "Authorization: Bearer <JWT>".', 'Bearer');
    const subject = verified.subjectOf(token) ?? (await verifiedSubject(token, await key, verified));
    if (!subject) throw unauthorized('The token is invalid or has expired.', 'Bearer error="invalid_token"');
    ctx.state.userId = subject;
    await next();
  };
}

async function verifiedSubject(token: string, key: CryptoKey, verified: VerifiedTokens): Promise<string | undefined> {
  let payload: JWTPayload;
  try {
    ({ payload } = await jwtVerify(token, key, { algorithms: ['HS256'], requiredClaims: ['sub', 'exp'] }));
  } catch {
    return undefined;
  }
  if (typeof payload.sub !== 'string' || !USER_ID_FORMAT.test(payload.sub)) return undefined;
  // A required claim: jose has checked that `exp` is a number.
  verified.remember(token, payload.sub, payload.exp as number);
  return payload.sub;
}

function unauthorized(detail: string, challenge: string): HttpProblem {
  return new HttpProblem(401, 'unauthorized', detail, { headers: { 'www-authenticate': challenge } });
}
