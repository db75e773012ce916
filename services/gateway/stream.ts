import { Readable } from 'node:stream';
import type { Middleware } from 'koa';
import { INTERNAL_TOKEN_HEADER, USER_ID_HEADER } from '../../lib/http/internal-auth.ts';
import { REQUEST_ID_HEADER } from '../../lib/http/request-log.ts';
import { forwardFailed, upstreamUrl, type Upstream } from './forward.ts';

const LAST_EVENT_ID_HEADER = 'last-event-id';
const LAST_EVENT_ID_FORMAT = /^[\x21-\x7e]{1,64}$/;

/** The caller's Last-Event-ID goes on only when it is short visible ASCII; the service parses it. */
function lastEventId(value: string): Record<string, string> {
  return LAST_EVENT_ID_FORMAT.test(value) ? { [LAST_EVENT_ID_HEADER]: value } : {};
}

/**
 * Relays a long-lived event stream from a service as it arrives. The timeout covers only the
 * service's first answer; the stream then lasts until the caller or the service hangs up.
 */
export function streamFrom(upstream: Upstream): Middleware {
  return async (ctx) => {
    const url = upstreamUrl(upstream, ctx);
    const abort = new AbortController();
    const timer = setTimeout(() => abort.abort(), upstream.timeoutMs);
    let response: Response;
    try {
      response = await fetch(url, {
        headers: {
          accept: 'text/event-stream',
          [INTERNAL_TOKEN_HEADER]: upstream.internalToken,
          [USER_ID_HEADER]: ctx.state.userId,
          [REQUEST_ID_HEADER]: ctx.state.requestId,
          ...lastEventId(ctx.get(LAST_EVENT_ID_HEADER)),
        },
        // A redirect is relayed, never followed: the internal token must reach no other host.
        redirect: 'manual',
        signal: abort.signal,
      });
    } catch (error) {
      throw forwardFailed(upstream, ctx.method, error);
    } finally {
      clearTimeout(timer);
    }
    ctx.req.socket.setTimeout(0);
    ctx.req.once('close', () => abort.abort());
    ctx.status = response.status;
    ctx.set({ 'content-type': response.headers.get('content-type') ?? 'text/event-stream', 'cache-control': 'no-cache', 'x-accel-buffering': 'no' });
    // The body ends with an abort when the caller leaves; that is the normal end, not an error.
    ctx.body = response.body ? Readable.fromWeb(response.body).on('error', () => undefined) : '';
  };
}
