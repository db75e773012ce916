// The last guards before a service: a request that no authentication passed, or whose path the URL
// parser would rewrite, never leaves the gateway.
import type { Context } from 'koa';
import { startCaptureServer } from './helpers/raw-http.ts';
import { callUpstream, createUpstream } from '../services/gateway/upstream.ts';

test('a request with no authenticated user is refused before it is sent, not sent as the user "undefined"', async () => {
  const service = await startCaptureServer();
  const upstream = createUpstream('payments', [service.url], { internalToken: 'x', timeoutMs: 1_000, skipDeadMs: 1_000 });
  try {
    // A route wired without authenticate(): nothing set ctx.state.userId.
    const ctx = { method: 'GET', path: '/api/account', search: '', state: {} } as unknown as Context;
    await expect(callUpstream(upstream, ctx, { headers: {}, signal: AbortSignal.timeout(1_000) }, () => undefined)).rejects.toThrow(
      'GET /api/account reached the payments service unauthenticated',
    );
    expect(service.requests).toEqual([]);
  } finally {
    await upstream.connections.close();
    await service.close();
  }
});

test('a path the URL parser would rewrite (an encoded dot segment) is refused, so the service gets exactly the path the route matched', async () => {
  const service = await startCaptureServer();
  const upstream = createUpstream('orders', [service.url], { internalToken: 'x', timeoutMs: 1_000, skipDeadMs: 1_000 });
  try {
    const ctx = { method: 'GET', path: '/api/orders/%2e%2e', search: '', state: { userId: 'ola' } } as unknown as Context;
    await expect(callUpstream(upstream, ctx, { headers: {}, signal: AbortSignal.timeout(1_000) }, () => undefined)).rejects.toMatchObject({
      status: 400,
      type: '/problems/invalid-path',
      message: 'The path must not contain dot segments or backslashes.',
    });
    expect(service.requests).toEqual([]);
  } finally {
    await upstream.connections.close();
    await service.close();
  }
});
