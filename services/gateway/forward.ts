import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { BODY_LIMIT_BYTES } from '../../lib/http/input.ts';
import { INTERNAL_TOKEN_HEADER, USER_ID_HEADER } from '../../lib/http/internal-auth.ts';
import { HttpProblem } from '../../lib/http/problem.ts';
import { REQUEST_ID_HEADER } from '../../lib/http/request-log.ts';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf, REPLAYED_HEADER } from '../../lib/idempotency/idempotent.ts';

export interface Upstream {
  name: string;
  url: string;
  internalToken: string;
  timeoutMs: number;
}

const FORWARDED_RESPONSE_HEADERS = ['content-type', 'location', REPLAYED_HEADER];

/**
 * Passes the caller's request on to an internal service as the authenticated user and relays
 * the answer. A service that is down (503) or too slow (504) is answered within the timeout, never a hang.
 */
export function forwardTo(upstream: Upstream): Middleware {
  return async (ctx) => {
    const url = upstreamUrl(upstream, ctx);
    const body = ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : await readRawBody(ctx);
    const headers: Record<string, string> = {
      [INTERNAL_TOKEN_HEADER]: upstream.internalToken,
      [USER_ID_HEADER]: ctx.state.userId,
      [REQUEST_ID_HEADER]: ctx.state.requestId,
    };
    const contentType = ctx.get('content-type');
    if (contentType) headers['content-type'] = contentType;
    const idempotencyKey = idempotencyKeyOf(ctx);
    if (idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
    try {
      const response = await fetch(url, {
        method: ctx.method,
        headers,
        body: body?.length ? body : undefined,
        redirect: 'manual',
        signal: AbortSignal.timeout(upstream.timeoutMs),
      });
      const answer = Buffer.from(await response.arrayBuffer());
      ctx.status = response.status;
      for (const name of FORWARDED_RESPONSE_HEADERS) {
        const value = response.headers.get(name);
        if (value) ctx.set(name, value);
      }
      ctx.body = answer;
    } catch (error) {
      throw forwardFailed(upstream, ctx.method, error);
    }
  };
}

// Errors that prove the request never left the gateway: no connection was made.
const NOT_DELIVERED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * The answer to a forward that got no answer. Only a request that never reached the service is a
 * 503 (nothing changed, try again). Any other failure (a timeout, a connection cut after the
 * request went out) has an unknown outcome: 504, and a change is retried with the same
 * Idempotency-Key, so that it happens once whatever the first attempt did.
 */
export function forwardFailed(upstream: Upstream, method: string, error: unknown): HttpProblem {
  const code = (error as { cause?: { code?: string } }).cause?.code;
  if (code !== undefined && NOT_DELIVERED.has(code)) {
    return new HttpProblem(503, 'service-unavailable', `The ${upstream.name} service is not reachable; nothing was done. Try again shortly.`, {
      headers: { 'retry-after': '1' },
    });
  }
  const retry = method === 'GET' || method === 'HEAD' ? 'Try again.' : 'It may have been carried out: retry with the same Idempotency-Key.';
  return new HttpProblem(504, 'upstream-timeout', `The ${upstream.name} service did not answer in time. ${retry}`);
}

/**
 * The service's URL for this request: the service's own origin, then the caller's path and query,
 * nothing else. A path that the URL parser would rewrite (encoded dots, backslashes, dot segments) is
 * refused, so the service receives exactly the path that the route matched.
 */
export function upstreamUrl(upstream: Upstream, ctx: Context): URL {
  const url = new URL(`${new URL(upstream.url).origin}${ctx.path}${ctx.search}`);
  if (url.pathname !== ctx.path) throw new HttpProblem(400, 'invalid-path', 'The path must not contain dot segments or backslashes.');
  return url;
}

async function readRawBody(ctx: Context): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit: BODY_LIMIT_BYTES, length: ctx.get('content-length') || undefined });
  } catch (error) {
    if ((error as { status?: number }).status === 413) {
      throw new HttpProblem(413, 'body-too-large', `The body must be at most ${BODY_LIMIT_BYTES} bytes.`);
    }
    throw new HttpProblem(400, 'unreadable-body', 'The request body could not be read.');
  }
}
