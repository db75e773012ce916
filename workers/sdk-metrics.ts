import { createServer } from 'node:net';
import type { MetricsSource } from '../lib/http/metrics.ts';

/**
 * The SDK serves its Prometheus metrics itself, on a port it binds; health checks cannot be added
 * to it. So it gets a loopback port of its own, and the worker's metrics server (METRICS_ADDRESS)
 * passes its metrics on beside `/healthz` and `/readyz`.
 */
export async function loopbackPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** The SDK's metrics, read from its exporter at `address` at each scrape. */
export function sdkMetrics(address: string): MetricsSource {
  return async () => {
    const answer = await fetch(`http://${address}/metrics`, { signal: AbortSignal.timeout(5_000) });
    if (!answer.ok) throw new Error(`the SDK's metrics answered ${answer.status}`);
    return { contentType: answer.headers.get('content-type') ?? 'text/plain; version=0.0.4', text: await answer.text() };
  };
}
