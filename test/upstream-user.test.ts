import { createServer } from 'node:http';
import type { Context } from 'koa';
import { callUpstream, createUpstream } from '../services/gateway/upstream.ts';

// Defence behind the gateway's guards: should a route ever be forwarded without authentication
// (as /API/... was, see test/route-guards.test.ts), the service must not be called as the user
// 'undefined', which is what fetch (the gateway's client before undici's request) made of a missing x-user-id.

test('a request without an authenticated user is not sent to the service', async () => {
  const received: (string | undefined)[] = [];
  const service = createServer((req, res) => {
    received.push(req.headers['x-user-id'] as string | undefined);
    res.end('{}');
  });
  await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
  const { port } = service.address() as { port: number };
  const upstream = createUpstream('orders', [`http://127.0.0.1:${port}`], { internalToken: 'x'.repeat(32), timeoutMs: 2_000, skipDeadMs: 1_000 });
  const ctx = { method: 'GET', path: '/api/orders', search: '', state: { requestId: 'r1' } } as unknown as Context;
  try {
    await expect(callUpstream(upstream, ctx, { headers: {}, signal: AbortSignal.timeout(2_000) }, (response) => response.statusCode)).rejects.toThrow(/unauthenticated/);
    expect(received).toEqual([]);
  } finally {
    await upstream.connections.close();
    await new Promise((resolve) => service.close(resolve));
  }
});
