import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { ensureTemporalCertificates, type TemporalCertificates } from '../supervisor/temporal-certificates.ts';
import { request } from '../harness/http.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';
import { eventually } from './helpers/eventually.ts';
import { startMtlsProxy, type MtlsProxy } from './helpers/mtls-proxy.ts';

// Every program reaches Temporal through the one connection config: the namespace is honoured by
// the workers, the relay and the dev server `npm start` runs, and TLS with client certificates
// works end to end (the dev server serves no TLS, so a TLS front that requires certificates
// stands before it).

/** Places an order through the gateway as a new user with money, and waits for its end; returns its id. */
async function paidOrder(system: RunningSystem, user: string): Promise<string> {
  const token = await signUserToken(system.secrets.JWT_SECRET, user);
  await request(system.gatewayUrl, 'POST', '/api/account', { token });
  await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 500 } });
  const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 100, description: 'namespaced' } });
  const final = await eventually(
    () => request(system.gatewayUrl, 'GET', `/api/orders/${placed.body.id}`, { token }),
    (reply) => reply.body.status !== 'NEW',
    45_000,
  );
  expect(final.body.status).toBe('PAID');
  return placed.body.id as string;
}

/** The payment workflows of this order in the namespace, found by the OrderId search attribute. */
async function paymentsOf(client: Client, orderId: string): Promise<string[]> {
  const ids: string[] = [];
  for await (const workflow of client.workflow.list({ query: `OrderId = "${orderId}"` })) ids.push(workflow.workflowId);
  return ids;
}

describe('npm start with TEMPORAL_NAMESPACE set: its dev server makes the namespace, and every program works in it', () => {
  let system: RunningSystem;
  beforeAll(async () => {
    system = await startSystem({ label: 'temporal-namespace', env: { TEMPORAL_NAMESPACE: 'shop-local' } });
  }, 180_000);
  afterAll(() => system.stop());

  test('an order is paid, and its payment is a workflow of that namespace', async () => {
    const orderId = await paidOrder(system, 'nia');
    const connection = await Connection.connect({ address: system.temporalAddress });
    try {
      const found = await eventually(
        () => paymentsOf(new Client({ connection, namespace: 'shop-local' }), orderId),
        (ids) => ids.length > 0,
      );
      expect(found).toEqual([`payment-${orderId}`]);
      expect(await paymentsOf(new Client({ connection, namespace: 'default' }), orderId)).toEqual([]);
    } finally {
      await connection.close();
    }
  }, 60_000);
});

describe('a Temporal server that requires client certificates (mTLS), in a namespace other than default', () => {
  let folder: string;
  let certs: TemporalCertificates;
  let temporal: TestWorkflowEnvironment;
  let proxy: MtlsProxy;
  let system: RunningSystem;
  /** What has started, stopped in reverse order: also after a start that failed half-way. */
  const stops: (() => Promise<unknown>)[] = [];
  beforeAll(async () => {
    folder = await mkdtemp(join(tmpdir(), 'temporal-mtls-'));
    stops.push(() => rm(folder, { recursive: true, force: true }));
    certs = await ensureTemporalCertificates(join(folder, 'certs'));
    temporal = await startTemporalDevServer('shop-tls');
    stops.push(() => temporal.teardown());
    proxy = await startMtlsProxy(temporal.address, certs);
    stops.push(() => proxy.close());
    system = await startSystem({
      label: 'temporal-mtls',
      env: {
        TEMPORAL_ADDRESS: proxy.address,
        TEMPORAL_NAMESPACE: 'shop-tls',
        TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
        TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
        TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
        TEMPORAL_TLS_SERVER_NAME: 'localhost',
      },
    });
    stops.push(() => system.stop());
  }, 180_000);
  afterAll(async () => {
    for (const stop of stops.reverse()) await stop();
  });

  test('the workers and the relay connect through it with the certificate, and an order is paid', async () => {
    // Both workers and the relay hold a connection through the TLS front; none went around it.
    expect(proxy.accepted()).toBeGreaterThanOrEqual(3);
    const orderId = await paidOrder(system, 'tess');
    const { options, namespace } = readTemporalConnection(system.env);
    const connection = await Connection.connect(options);
    try {
      const found = await eventually(
        () => paymentsOf(new Client({ connection, namespace }), orderId),
        (ids) => ids.length > 0,
      );
      expect(found).toEqual([`payment-${orderId}`]);
    } finally {
      await connection.close();
    }
  }, 60_000);

  test('a client without a certificate is refused', async () => {
    const refusedBefore = proxy.refused();
    const withoutCertificate = Connection.connect({
      address: proxy.address,
      tls: { serverNameOverride: 'localhost', serverRootCACertificate: await readFile(certs.caCert) },
      connectTimeout: 3_000,
    });
    await expect(withoutCertificate).rejects.toThrow();
    expect(proxy.refused()).toBeGreaterThan(refusedBefore);
  });
});
