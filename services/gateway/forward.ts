import type { Context, Middleware } from 'koa';
import getRawBody from 'raw-body';
import { BODY_LIMIT_BYTES } from '../../lib/http/input.ts';
import { HttpProblem } from '../../lib/http/problem.ts';
import { describeActiveSpan } from '../../lib/telemetry/trace-context.ts';
import { IDEMPOTENCY_KEY_HEADER, idempotencyKeyOf, REPLAYED_HEADER } from '../../lib/idempotency/idempotent.ts';
import { callUpstream, headerValue, type Upstream } from './upstream.ts';

const FORWARDED_RESPONSE_HEADERS = ['content-type', 'location', REPLAYED_HEADER];

/**
 * Passes the caller's request on to an internal service as the authenticated user and relays
 * the answer. A service that is down (503) or too slow (504) is answered within the timeout, never a hang.
 */
export function forwardTo(upstream: Upstream): Middleware {
  return async (ctx) => {
    const body = ctx.method === 'GET' || ctx.method === 'HEAD' ? undefined : await readRawBody(ctx);
    const headers: Record<string, string> = {};
    const contentType = ctx.get('content-type');
    if (contentType) headers['content-type'] = contentType;
    const idempotencyKey = idempotencyKeyOf(ctx);
    if (idempotencyKey !== undefined) headers[IDEMPOTENCY_KEY_HEADER] = idempotencyKey;
    const request = { method: ctx.method, headers, body: body?.length ? body : undefined, signal: AbortSignal.timeout(upstream.timeoutMs) };
    // Read whole before answering: an answer that breaks off mid-body is a 504, not a 200 cut short.
    // arrayBuffer() gathers the chunks once; Buffer.from(ArrayBuffer) is a view on it, not a copy.
    const { response, answer } = await callUpstream(upstream, ctx, request, async (response) => ({ response, answer: Buffer.from(await response.body.arrayBuffer()) }));
    ctx.status = response.statusCode;
    for (const name of FORWARDED_RESPONSE_HEADERS) {
      const value = headerValue(response.headers[name]);
      if (value) ctx.set(name, value);
    }
    ctx.body = answer;
    // An answer to HEAD has no body, but the length the GET would have: the service's, not 0.
    const length = response.headers['content-length'];
    if (ctx.method === 'HEAD' && typeof length === 'string') ctx.set('content-length', length);
    // A placed order's id, known here only from the answer: its trace can then be found by it.
    const orderId = placedOrderId(headerValue(response.headers['location']));
    if (orderId) describeActiveSpan({ orderId });
  };
}

/** The id of the order that an answer placed, from its Location (`/api/orders/<id>`); undefined for any other answer. */
function placedOrderId(location: string | undefined): string | undefined {
  return /^\/api\/orders\/([0-9a-f-]{36})$/.exec(location ?? '')?.[1];
}

async function readRawBody(ctx: Context): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit: BODY_LIMIT_BYTES, length: ctx.get('content-length') || undefined });
  } catch (error) {
    if ((error as { status?: number }).status === 413) {
      throw new HttpProblem(413, 'body-too-large', `The body must be at most ${BODY_LIMIT_BYTES} bytes.`);
    }
    // Any other failure is the client's connection breaking off mid-body (cut, or too slow): the
    // server answers that connection itself, if at all (lib/http/server.ts), so this 400 is never
    // delivered; it stops the request from going on without its body, and counts it as the client's fault.
    throw new HttpProblem(400, 'unreadable-body', 'The request body could not be read.');
  }
}
