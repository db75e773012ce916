import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { runChaos } from '../harness/chaos.ts';
import { request } from '../harness/http.ts';
import { descendantsOf } from '../harness/processes.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { APP_PROGRAMS } from '../supervisor/programs.ts';
import { TEMPORAL_TLS_SERVER_NAME, temporalCertificatesFolder, temporalCertificatesIn } from '../supervisor/temporal-certificates.ts';
import { cachedGoTool } from '../supervisor/go-tools.ts';
import { TEMPORAL_SERVER } from '../supervisor/temporal-cluster-tools.ts';
import { findTemporalCli } from '../supervisor/temporal-cli.ts';
import { PAYMENT_WORKFLOW_ID_PREFIX } from '../workflows/names.ts';
import { expectBalancedBooks } from './helpers/chaos-tally.ts';
import { eventually } from './helpers/eventually.ts';

// `npm run start:cluster`: PostgreSQL, a Temporal cluster of two server processes whose frontends
// require mutual TLS, its Web UI, and two copies of every program. One start serves every test
// here (a start costs some 30 to 60 s).

const run = promisify(execFile);

describe('npm run start:cluster', () => {
  let system: RunningSystem;
  let token: string;
  let gateways: string[];
  const certificates = () => temporalCertificatesIn(temporalCertificatesFolder(system.dataDir));
  /** The CLI against one frontend; `withCertificate: false` leaves the client certificate out. */
  const temporal = (frontendPort: number, args: string[], { withCertificate = true } = {}) =>
    run(findTemporalCli() ?? 'temporal', [
      ...args,
      '--address',
      `127.0.0.1:${frontendPort}`,
      '--tls-ca-path',
      certificates().caCert,
      '--tls-server-name',
      TEMPORAL_TLS_SERVER_NAME,
      ...(withCertificate ? ['--tls-cert-path', certificates().clientCert, '--tls-key-path', certificates().clientKey] : []),
      '--command-timeout',
      '10s',
    ]);
  const placeOrder = async (gateway: string, description: string) => {
    const placed = await request(gateway, 'POST', '/api/orders', { token, body: { amount: 100, description } });
    expect(placed.status).toBe(202);
    return placed.body.id as string;
  };
  const finalStatus = async (orderId: string, timeoutMs = 30_000) =>
    (
      await eventually(
        () => request(gateways[0] ?? '', 'GET', `/api/orders/${orderId}`, { token }),
        (reply) => reply.body.status !== 'NEW',
        timeoutMs,
      )
    ).body.status;

  beforeAll(async () => {
    const started = Date.now();
    system = await startSystem({ label: 'cluster-test', cluster: true });
    console.log(`the cluster was up in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    token = await signUserToken(system.secrets.JWT_SECRET, 'kai');
    gateways = [system.gatewayUrl, `http://127.0.0.1:${system.ports.GATEWAY_PORT_2}`];
    expect((await request(system.gatewayUrl, 'POST', '/api/account', { token })).status).toBe(201);
    expect((await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 1_000 } })).status).toBe(201);
  }, 240_000);
  afterAll(() => system.stop());

  test('two Temporal servers and two copies of every program run; an order placed through the second gateway is paid, by a workflow the cluster ran and finds by its search attribute', async () => {
    const commands = (await descendantsOf(system.pid)).map((child) => child.command);
    expect(commands.filter((command) => command.startsWith(cachedGoTool(TEMPORAL_SERVER))).length).toBe(2);
    for (const program of APP_PROGRAMS) expect([program.name, commands.filter((command) => command.endsWith(program.entry)).length]).toEqual([program.name, 2]);

    const orderId = await placeOrder(gateways[1] ?? '', 'through the second gateway');
    expect(await finalStatus(orderId)).toBe('PAID');
    // Asked of the other server than the one the first copies use: the cluster shares one history.
    const { stdout } = await temporal(system.ports.TEMPORAL_PORT_2, ['workflow', 'describe', '--workflow-id', `${PAYMENT_WORKFLOW_ID_PREFIX}${orderId}`, '--output', 'json']);
    expect(JSON.parse(stdout).workflowExecutionInfo.status).toBe('WORKFLOW_EXECUTION_STATUS_COMPLETED');
    // Found by its search attribute: the start registered them on the cluster.
    const found = await eventually(
      () => temporal(system.ports.TEMPORAL_PORT, ['workflow', 'list', '--query', `OrderId = "${orderId}"`, '--output', 'json']),
      ({ stdout: listed }) => listed.includes(orderId),
    );
    expect(found.stdout).toContain(`${PAYMENT_WORKFLOW_ID_PREFIX}${orderId}`);
  }, 60_000);

  test('a client without a certificate of the cluster is refused', async () => {
    await expect(temporal(system.ports.TEMPORAL_PORT, ['workflow', 'list', '--limit', '1'], { withCertificate: false })).rejects.toThrow();
    // The same call with the certificate answers: the refusal is the missing certificate's.
    await expect(temporal(system.ports.TEMPORAL_PORT, ['workflow', 'list', '--limit', '1'])).resolves.toBeDefined();
  }, 60_000);

  test('with one Temporal server killed (SIGKILL), another order is still paid', async () => {
    const server = (await descendantsOf(system.pid)).find((child) => child.command.startsWith(cachedGoTool(TEMPORAL_SERVER)));
    if (!server) throw new Error('no Temporal server runs');
    process.kill(server.pid, 'SIGKILL');
    const orderId = await placeOrder(gateways[0] ?? '', 'one server down');
    expect(await finalStatus(orderId, 90_000)).toBe('PAID');
  }, 120_000);

  // The small version of `npm run chaos -- --cluster`, on this file's cluster rather than one of its
  // own (a start costs more than the chaos): every kind of fault lands once while orders flow.
  test('chaos: with one copy of each program, PostgreSQL (restarted and crashed) and each Temporal server in turn killed while orders flow over both gateways, nothing is lost and nothing doubled', async () => {
    // 120 orders at 4/s take 30 s; the ten kinds of fault, one every 1.5 s (more when a process
    // is still restarting), all land before that.
    const tally = await runChaos(system, { users: 5, orders: 120, rate: 4, faultEveryMs: 1_500, faultRounds: 1, say: () => undefined });
    expectBalancedBooks(tally, 120);
    const server = `SIGKILL ${cachedGoTool(TEMPORAL_SERVER)}`;
    expect([tally.faults[server], tally.faults[`${server} (the other server)`]]).toEqual([1, 1]);
  }, 300_000);
});
