import type { Context } from 'koa';
import { Agent, type Dispatcher } from 'undici';
import { INTERNAL_TOKEN_HEADER, USER_ID_HEADER } from '../../lib/http/internal-auth.ts';
import { HttpProblem } from '../../lib/http/problem.ts';
import { REQUEST_ID_HEADER } from '../../lib/http/request-log.ts';
import type { GatewayConfig } from './config.ts';
import { Instances } from './instances.ts';

/** A service behind the gateway, run as one instance or several. */
export interface Upstream {
  name: string;
  instances: Instances;
  internalToken: string;
  timeoutMs: number;
  /** Keep-alive connections to its instances, a pool per instance; closed with the gateway. */
  connections: Dispatcher;
}

export interface UpstreamSettings {
  internalToken: string;
  timeoutMs: number;
  /** How long an instance that refused a connection is passed over. */
  skipDeadMs: number;
}

export function upstreamsOf(config: GatewayConfig): { payments: Upstream; orders: Upstream } {
  const settings = { internalToken: config.INTERNAL_TOKEN, timeoutMs: config.UPSTREAM_TIMEOUT_MS, skipDeadMs: config.UPSTREAM_SKIP_DEAD_MS };
  return { payments: createUpstream('payments', config.PAYMENTS_URL, settings), orders: createUpstream('orders', config.ORDERS_URL, settings) };
}

/**
 * A service at `origins`, reached through an Agent: one pool of keep-alive connections per origin,
 * so a request pays no TCP handshake. Pooling resends nothing (see deliver), as undici's Dispatcher
 * and Client documents and its client-h1.js do: no retry or redirect interceptor is composed in;
 * with pipelining at its default of 1 a connection carries one request at a time, and when a
 * connection closes under a request that was written, undici fails that request (SocketError, a
 * 504 here) rather than write it again; only requests not yet written wait for a new connection.
 * A kept connection is not reused blind: undici closes it itself before the service would (the
 * service's Keep-Alive hint less 2 s), and before reusing one that sat idle it reads what the peer
 * sent meanwhile, so the connection of an instance that stopped is dropped and the next request
 * connects afresh: refused while it is down (the next instance answers), served once it is back.
 * HTTP/1.1 only, said outright (allowH2 is off in undici 7, on in 8): resending over HTTP/2 was not
 * weighed. undici 7, not 8: 8 needs Node 22.19, and the shop runs on 22.18.
 *
 * The request's signal does not reach a connection still being made (undici applies it once the
 * request has a connection), so the connect has a timeout of its own, well inside the request's:
 * an instance that drops connection attempts (host down, accept queue full) is given up within it
 * (a connect timeout proves nothing was sent) and the next instance still has time to answer,
 * where undici's default of 10 s held every request and outlived the caller's timeout.
 */
export function createUpstream(name: string, origins: readonly string[], { internalToken, timeoutMs, skipDeadMs }: UpstreamSettings): Upstream {
  const connections = new Agent({ allowH2: false, connect: { timeout: Math.min(MAX_CONNECT_MS, timeoutMs / 2) } });
  return { name, instances: new Instances(origins, skipDeadMs), internalToken, timeoutMs, connections };
}

/** The longest a connection to an instance may take to open: on a network that answers, a few ms. */
const MAX_CONNECT_MS = 1_000;

export interface UpstreamRequest {
  method?: string;
  /** The caller's headers that go on; who the caller is, the gateway adds itself. */
  headers: Record<string, string>;
  body?: Buffer;
  signal: AbortSignal;
}

/**
 * Sends the caller's request on to the service as the authenticated user, and reads the answer
 * with `read`. A service that cannot be reached, or whose answer breaks off while `read` reads it,
 * is a 503 or 504 problem (see upstreamFailed).
 */
export async function callUpstream<T>(upstream: Upstream, ctx: Context, request: UpstreamRequest, read: (response: Dispatcher.ResponseData) => Promise<T> | T): Promise<T> {
  // A request no guard authenticated must not reach a service: it would go out with its missing
  // user as the header 'x-user-id: undefined', which the service takes for a user of that name.
  if (!ctx.state.userId) throw new Error(`${ctx.method} ${ctx.path} reached the ${upstream.name} service unauthenticated`);
  const response = await deliver(upstream, ctx, request);
  try {
    return await read(response);
  } catch (error) {
    throw upstreamFailed(upstream, ctx.method, error);
  }
}

/**
 * Sends the request to one instance after another, from the next in turn, until one takes it. It
 * goes on to the next only when the request provably never left (the connection was refused, the
 * name did not resolve): a request that may have reached an instance is never sent again, since it
 * may have moved money there. The signal bounds the whole exchange, answer's body included.
 */
async function deliver(upstream: Upstream, ctx: Context, request: UpstreamRequest): Promise<Dispatcher.ResponseData> {
  // Built before anything is sent: a path the URL parser would rewrite is refused (400) at once.
  const targets = upstream.instances.forRequest().map((origin) => ({ origin, url: upstreamUrl(origin, ctx) }));
  const headers = {
    ...request.headers,
    [INTERNAL_TOKEN_HEADER]: upstream.internalToken,
    [USER_ID_HEADER]: ctx.state.userId,
    [REQUEST_ID_HEADER]: ctx.state.requestId,
  };
  let failure: unknown;
  for (const { origin, url } of targets) {
    try {
      // undici's request() follows no redirect (it has no such option): a 3xx is relayed as it
      // came, and the internal token reaches no other host.
      const response = await upstream.connections.request({
        origin,
        path: `${url.pathname}${url.search}`,
        method: request.method ?? 'GET',
        headers,
        body: request.body,
        signal: request.signal,
      });
      upstream.instances.markAlive(origin);
      return response;
    } catch (error) {
      if (!neverDelivered(error)) throw upstreamFailed(upstream, ctx.method, error);
      upstream.instances.markDead(origin);
      failure = error;
    }
  }
  throw upstreamFailed(upstream, ctx.method, failure);
}

/**
 * One header of a service's answer as one value: undici gives a header the service sent twice as a
 * list, which Koa refuses for the names the gateway relays, so an answer the service already acted
 * on would become a 500. Joined as HTTP allows, as fetch did.
 */
export function headerValue(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

// Errors that prove the request never left the gateway: no connection was made. undici's request()
// rejects with the socket's or the resolver's own error, or its ConnectTimeoutError: the code is on
// the error itself (fetch() wrapped it in a TypeError's cause).
const NOT_DELIVERED: ReadonlySet<unknown> = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function neverDelivered(error: unknown): boolean {
  return NOT_DELIVERED.has((error as { code?: unknown } | undefined)?.code);
}

/**
 * The answer to a call that got no answer. Only a request that never reached the service is a
 * 503 (nothing changed, try again). Any other failure (a timeout, a connection cut after the
 * request went out) has an unknown outcome: 504, and a change is retried with the same
 * Idempotency-Key, so that it happens once whatever the first attempt did.
 */
export function upstreamFailed(upstream: Upstream, method: string, error: unknown): HttpProblem {
  if (neverDelivered(error)) {
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
function upstreamUrl(origin: string, ctx: Context): URL {
  const url = new URL(`${origin}${ctx.path}${ctx.search}`);
  if (url.pathname !== ctx.path) throw new HttpProblem(400, 'invalid-path', 'The path must not contain dot segments or backslashes.');
  return url;
}

/** For the gateway's readiness: some instance of the service answers its own /readyz with a success within the timeout. */
export async function isReady(upstream: Upstream): Promise<void> {
  const instanceReady = async (origin: string) => {
    const { statusCode, body } = await upstream.connections.request({ origin, path: '/readyz', method: 'GET', signal: AbortSignal.timeout(upstream.timeoutMs) });
    // Read to its end, so that the connection goes back to the pool.
    await body.dump();
    if (statusCode < 200 || statusCode > 299) throw new Error(`${origin} is not ready`);
  };
  await Promise.any(upstream.instances.origins.map(instanceReady)).catch(() => {
    throw new Error(`no instance of ${upstream.name} is ready`);
  });
}
