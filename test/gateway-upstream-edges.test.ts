import { spawn, type ChildProcess } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import net, { type AddressInfo } from 'node:net';
import Koa from 'koa';
import { errorHandler } from '../lib/http/error-handler.ts';
import { serve, type RunningServer } from '../lib/http/server.ts';
import { forwardTo } from '../services/gateway/forward.ts';
import { streamFrom } from '../services/gateway/stream.ts';
import { createUpstream } from '../services/gateway/upstream.ts';
import { request } from '../harness/http.ts';
import { testLogger } from '../harness/stack.ts';

// The gateway's upstream calls (undici's request()) at the edges an outside review found: an instance
// that drops connection attempts, a header sent twice, HEAD.

const TIMEOUT_MS = 500;

/**
 * An instance whose host drops connection attempts (host down, a firewall, an accept queue full):
 * a child that listens with a backlog of one and never accepts (its event loop is blocked), with
 * the queue filled, so that the kernel drops every further SYN.
 */
async function blackHole(): Promise<{ origin: string; stop: () => void }> {
  const child: ChildProcess = spawn(process.execPath, [
    '-e',
    "const s = require('node:net').createServer().listen({ port: 0, host: '127.0.0.1', backlog: 1 }, () => { console.log(s.address().port); setTimeout(() => Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0), 50); });",
  ]);
  const port = await new Promise<number>((resolve) => child.stdout?.once('data', (data: Buffer) => resolve(Number(data.toString().trim()))));
  await new Promise((resolve) => setTimeout(resolve, 200));
  const fillers = [0, 1, 2, 3].map(() => net.connect(port, '127.0.0.1').on('error', () => undefined));
  await new Promise((resolve) => setTimeout(resolve, 300));
  return {
    origin: `http://127.0.0.1:${port}`,
    stop: () => {
      for (const filler of fillers) filler.destroy();
      child.kill('SIGKILL');
    },
  };
}

/**
 * Runs `use` against forwardTo (or `mount`) in front of the instances at `origins`, as the gateway mounts it
 * (problems as answers, an authenticated user), then closes the gateway and its connections.
 */
async function throughGateway(origins: string[], timeoutMs: number, use: (gateway: RunningServer) => Promise<void>, mount = forwardTo): Promise<void> {
  const upstream = createUpstream('orders', origins, { internalToken: 'x'.repeat(32), timeoutMs, skipDeadMs: 5_000 });
  const app = new Koa();
  app.use(errorHandler(testLogger));
  app.use((ctx, next) => {
    ctx.state.userId = 'edge-user';
    ctx.state.requestId = 'edge-request';
    return next();
  });
  app.use(mount(upstream));
  const gateway = await serve(app, '127.0.0.1', 0);
  try {
    await use(gateway);
  } finally {
    await gateway.close();
    await upstream.connections.destroy();
  }
}

const originOf = (server: net.Server) => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

let live: Server;
let liveOrigin: string;
let liveReceived = 0;
beforeAll(async () => {
  live = createServer((req, res) => {
    liveReceived += 1;
    req.resume();
    req.on('end', () => res.writeHead(202, { 'content-type': 'application/json' }).end('{}'));
  });
  await new Promise<void>((resolve) => live.listen(0, '127.0.0.1', resolve));
  liveOrigin = originOf(live);
});
afterAll(() => {
  live.closeAllConnections();
  live.close();
});

test('an instance that drops connection attempts: the caller is answered 503 within UPSTREAM_TIMEOUT_MS, not after undici\'s 10 s connect timeout', async () => {
  const hole = await blackHole();
  await throughGateway([hole.origin], TIMEOUT_MS, async (gateway) => {
    const started = Date.now();
    const answer = await request(gateway.url, 'POST', '/api/orders', { body: { amount: 1 }, headers: { 'idempotency-key': 'edge-1' } });
    const tookMs = Date.now() - started;
    // Nothing left the gateway: 503 (or at worst 504), and within the caller's timeout.
    expect(tookMs).toBeLessThan(TIMEOUT_MS + 1_000);
    expect(answer.status).toBe(503);
  }).finally(hole.stop);
}, 30_000);

test('an instance that drops connection attempts is passed over within the timeout: the live one answers', async () => {
  const hole = await blackHole();
  await throughGateway([hole.origin, liveOrigin], 2_000, async (gateway) => {
    const before = liveReceived;
    const started = Date.now();
    const answer = await request(gateway.url, 'POST', '/api/orders', { body: { amount: 1 }, headers: { 'idempotency-key': 'edge-2' } });
    expect(Date.now() - started).toBeLessThan(3_000);
    expect([answer.status, liveReceived - before]).toEqual([202, 1]);
  }).finally(hole.stop);
}, 30_000);

test('an upstream answer with its Content-Type twice is relayed, not a 500 after the service acted', async () => {
  const doubled = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () =>
      socket.write('HTTP/1.1 202 Accepted\r\ncontent-type: application/json\r\ncontent-type: application/json\r\nlocation: /api/orders/x\r\ncontent-length: 2\r\n\r\n{}'),
    );
  });
  await new Promise<void>((resolve) => doubled.listen(0, '127.0.0.1', resolve));
  await throughGateway([originOf(doubled)], 2_000, async (gateway) => {
    const answer = await request(gateway.url, 'POST', '/api/orders', { body: { amount: 1 }, headers: { 'idempotency-key': 'edge-3' } });
    expect(answer.status).toBe(202);
  }).finally(() => doubled.close());
});

test('an event stream whose Content-Type the service sent twice is relayed, not a 500', async () => {
  const doubled = net.createServer((socket) => {
    socket.on('error', () => undefined);
    socket.once('data', () => socket.end('HTTP/1.1 200 OK\r\ncontent-type: text/event-stream\r\ncontent-type: text/event-stream\r\nconnection: close\r\n\r\n: hello\n\n'));
  });
  await new Promise<void>((resolve) => doubled.listen(0, '127.0.0.1', resolve));
  await throughGateway(
    [originOf(doubled)],
    2_000,
    async (gateway) => {
      const answer = await fetch(`${gateway.url}/api/orders/events`);
      expect([answer.status, await answer.text()]).toEqual([200, ': hello\n\n']);
    },
    streamFrom,
  ).finally(() => doubled.close());
});

test('HEAD through the gateway carries the length GET would have, not Content-Length: 0', async () => {
  const sized = createServer((req, res) => res.writeHead(200, { 'content-type': 'application/json', 'content-length': '100' }).end(req.method === 'HEAD' ? undefined : 'x'.repeat(100)));
  await new Promise<void>((resolve) => sized.listen(0, '127.0.0.1', resolve));
  await throughGateway([originOf(sized)], 2_000, async (gateway) => {
    const answer = await fetch(`${gateway.url}/api/orders`, { method: 'HEAD' });
    expect(answer.headers.get('content-length')).toBe('100');
  }).finally(() => {
    sized.closeAllConnections();
    sized.close();
  });
});
