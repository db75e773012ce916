// Logs, metrics and health checks of the whole system as `npm start` runs it: what an operator
// joins, alerts on and probes.
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { request } from '../harness/http.ts';
import { descendantRunning, descendantsOf, programRunning } from '../harness/processes.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import type { PortSetting } from '../supervisor/programs.ts';
import { eventually } from './helpers/eventually.ts';

const METRICS_PORTS: PortSetting[] = [
  'GATEWAY_METRICS_PORT',
  'ORDERS_METRICS_PORT',
  'PAYMENTS_METRICS_PORT',
  'PAYMENTS_WORKER_METRICS_PORT',
  'ORDERS_WORKER_METRICS_PORT',
  'OUTBOX_RELAY_METRICS_PORT',
];
/** The programs with no HTTP port of their own: they answer their health checks on their metrics port. */
const PROBED_ON_METRICS_PORT: PortSetting[] = ['PAYMENTS_WORKER_METRICS_PORT', 'ORDERS_WORKER_METRICS_PORT', 'OUTBOX_RELAY_METRICS_PORT'];

/**
 * Counters whose series appears at their first increment (a failure, a conflict), so a healthy
 * system's scrape cannot show them: each must be created under that very name where it is said to be.
 */
const SDK_METRICS_SOURCE = new URL('../node_modules/@temporalio/core-bridge/sdk-core/crates/', import.meta.url);
const BORN_AT_FIRST_EVENT = new Map<string, { file: URL; declaration: string }>([
  ['temporal_workflow_failed', { file: new URL('sdk-core/src/telemetry/metrics.rs', SDK_METRICS_SOURCE), declaration: 'name: "workflow_failed"' }],
  ['temporal_activity_execution_failed', { file: new URL('sdk-core/src/telemetry/metrics.rs', SDK_METRICS_SOURCE), declaration: 'name: "activity_execution_failed"' }],
  ['temporal_long_request_failure', { file: new URL('client/src/metrics.rs', SDK_METRICS_SOURCE), declaration: 'name: "long_request_failure"' }],
  ['activity_attempts_over_threshold', { file: new URL('../workers/attempt-metric.ts', import.meta.url), declaration: "createCounter('activity_attempts_over_threshold'" }],
  ['saga_conflicts', { file: new URL('../activities/report-conflict.ts', import.meta.url), declaration: "createCounter('saga_conflicts'" }],
]);

const PROMQL_WORDS = new Set(['sum', 'max', 'min', 'avg', 'count', 'by', 'without', 'on', 'ignoring', 'or', 'and', 'unless', 'offset', 'bool', 'rate', 'increase', 'absent', 'histogram_quantile']);

/** The metric names a PromQL expression reads: what is left once strings, label matchers, ranges, groupings and functions are gone. */
function metricNamesIn(expression: string): string[] {
  const bare = expression
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, ' ')
    .replace(/\[[^\]]*\]/g, ' ')
    .replace(/\b(by|without|on|ignoring)\s*\([^)]*\)/g, ' ');
  return [...bare.matchAll(/\b[a-zA-Z_:][\w:]*\b(?!\s*\()/g)].map(([name]) => name).filter((name) => !PROMQL_WORDS.has(name));
}

/** Every `program | {json}` line of one program in the system's log, parsed. */
function jsonLinesOf(logText: string, program: string): Record<string, unknown>[] {
  return logText
    .split('\n')
    .filter((line) => line.startsWith(`${program.padEnd(15)}| {`))
    .map((line) => JSON.parse(line.slice(line.indexOf('| ') + 2)) as Record<string, unknown>);
}

const scrape = (port: number) => fetch(`http://127.0.0.1:${port}/metrics`).then((answer) => answer.text());
const status = (port: number, path: string) => fetch(`http://127.0.0.1:${port}${path}`, { signal: AbortSignal.timeout(5_000) }).then((answer) => answer.status);

describe('observability of a running system', () => {
  let system: RunningSystem;
  let orderId: string;
  let requestId: string;
  beforeAll(async () => {
    system = await startSystem({ label: 'observability' });
    const token = await signUserToken(system.secrets.JWT_SECRET, 'olga');
    await request(system.gatewayUrl, 'POST', '/api/account', { token });
    await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 500 } });
    const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 120, description: 'traced' } });
    orderId = placed.body.id;
    requestId = placed.headers.get('x-request-id') ?? '';
    const paid = await eventually(
      () => request(system.gatewayUrl, 'GET', `/api/orders/${orderId}`, { token }),
      (answer) => answer.body.status !== 'NEW',
    );
    expect(paid.body.status).toBe('PAID');
  }, 240_000);
  let stopped = false;
  afterAll(() => (stopped ? undefined : system.stop()));

  test("the activities' log lines are JSON and name the workflow, the order and the request that placed it", async () => {
    // The harness writes the lines as they come; the last activity's line may still be on its way.
    const lines = await eventually(
      async () => {
        const log = await readFile(system.logFile, 'utf8');
        return [...jsonLinesOf(log, 'payments-worker'), ...jsonLinesOf(log, 'orders-worker')].filter((line) => line['sdkComponent'] === 'activity');
      },
      (found) => found.some((line) => line['msg'] === 'order completed'),
    );
    expect(lines.map((line) => [line['activityType'], line['msg']])).toEqual(
      expect.arrayContaining([
        ['debit', 'debit decided'],
        ['completeOrder', 'order completed'],
      ]),
    );
    for (const line of lines) {
      expect(line).toMatchObject({ workflowId: `payment-${orderId}`, orderId, requestId, level: 30 });
    }
  });

  test('a line written while a request is served, not only its access line, carries the request id, the user and the order', async () => {
    const placed = jsonLinesOf(await readFile(system.logFile, 'utf8'), 'orders').filter((line) => line['msg'] === 'order placed');
    expect(placed).toEqual([expect.objectContaining({ requestId, userId: 'olga', orderId, amount: 120 })]);
  });

  test('a newcomer sees no warnings from a healthy start: the orders worker runs no workflows by design', async () => {
    const log = await readFile(system.logFile, 'utf8');
    const warnings = ['orders-worker', 'payments-worker', 'outbox-relay'].flatMap((program) => jsonLinesOf(log, program).filter((line) => Number(line['level']) >= 40));
    expect(warnings).toEqual([]);
  });

  test('every metric the alert rules and the dashboard read is one the system exports', async () => {
    const exported = new Set<string>();
    for (const port of METRICS_PORTS) {
      for (const line of (await scrape(system.ports[port])).split('\n')) {
        if (line && !line.startsWith('#')) exported.add(line.split(/[{ ]/)[0] ?? '');
      }
    }
    const rules = parse(readFileSync(new URL('../ops/prometheus/alerts.yml', import.meta.url), 'utf8')) as { groups: { rules: { alert: string; expr: string }[] }[] };
    const dashboard = JSON.parse(readFileSync(new URL('../ops/grafana/shop-payments.json', import.meta.url), 'utf8')) as { panels: { title: string; targets?: { expr: string }[] }[] };
    const uses = [
      ...rules.groups.flatMap((group) => group.rules.map((rule) => ({ where: `alert ${rule.alert}`, expr: rule.expr }))),
      ...dashboard.panels.flatMap((panel) => (panel.targets ?? []).map((target) => ({ where: `panel ${panel.title}`, expr: target.expr }))),
    ];
    expect(uses.length).toBeGreaterThan(20);
    const unknown = uses.flatMap(({ where, expr }) =>
      metricNamesIn(expr)
        .filter((name) => {
          if (exported.has(name)) return false;
          const declared = BORN_AT_FIRST_EVENT.get(name);
          return !declared || !readFileSync(declared.file, 'utf8').includes(declared.declaration);
        })
        .map((name) => `${where}: ${name}`),
    );
    expect(unknown).toEqual([]);
  });

  // Frozen (SIGSTOP), a dependency holds every call open: the probes' deadline makes that a 503.
  const dependencies: [string, () => Promise<number[]>][] = [
    ['Temporal', async () => [(await descendantRunning(system.pid, 'server start-dev'))?.pid ?? 0]],
    // Everything below its wrapper: the postmaster, which would fork new backends, and every backend the pools hold.
    ['PostgreSQL', async () => (await descendantsOf((await programRunning(system.pid, 'postgres'))?.pid ?? 0)).map(({ pid }) => pid)],
  ];
  test.each(dependencies)('the workers and the relay are ready on their metrics port while %s answers, and not while it does not', async (_, pidsOf) => {
    for (const port of PROBED_ON_METRICS_PORT) {
      expect([port, await status(system.ports[port], '/healthz'), await status(system.ports[port], '/readyz')]).toEqual([port, 200, 200]);
    }
    const pids = await pidsOf();
    expect(pids.length).toBeGreaterThan(0);
    for (const pid of pids) process.kill(pid, 'SIGSTOP');
    try {
      for (const port of PROBED_ON_METRICS_PORT) {
        const ready = await eventually(() => status(system.ports[port], '/readyz'), (answer) => answer === 503, 15_000);
        // Alive all the same: an orchestrator must not restart them for a dependency's outage.
        expect([port, ready, await status(system.ports[port], '/healthz')]).toEqual([port, 503, 200]);
      }
    } finally {
      for (const pid of pids) process.kill(pid, 'SIGCONT');
    }
    for (const port of PROBED_ON_METRICS_PORT) {
      expect([port, await eventually(() => status(system.ports[port], '/readyz'), (answer) => answer === 200, 30_000)]).toEqual([port, 200]);
    }
  }, 90_000);

  // Last: it stops the system.
  test('stops without a wall of warnings: Temporal is asked to stop after the workers, and says nothing of its own pollers', async () => {
    stopped = true;
    const before = (await readFile(system.logFile, 'utf8')).length;
    await system.stop();
    const stopping = (await readFile(system.logFile, 'utf8')).slice(before);
    expect(stopping).toContain('supervisor     | stopped');
    expect(stopping.split('\n').filter((line) => /level=WARN|"level":[4-6]0/.test(line))).toEqual([]);
  }, 60_000);
});
