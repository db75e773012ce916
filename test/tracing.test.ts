import { readFileSync } from 'node:fs';
import { request } from '../harness/http.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { tracingRequested } from '../lib/telemetry/tracing.ts';
import { signUserToken } from '../services/gateway/sign-token.ts';
import { eventually } from './helpers/eventually.ts';
import { exportingTo, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from '../harness/otlp-receiver.ts';

// One order is one trace: from the gateway's request to the orders worker's last activity, across
// the outbox (the relay continues the trace stored with the row) and through Temporal.
describe('tracing on the whole system', () => {
  let receiver: OtlpReceiver;
  let system: RunningSystem;
  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    system = await startSystem({
      label: 'tracing',
      env: exportingTo(receiver),
    });
  }, 180_000);
  afterAll(async () => {
    await system.stop();
    await receiver.close();
  });

  test('one order is one trace from the gateway to the orders worker, unbroken across the outbox', async () => {
    const token = await signUserToken(system.secrets.JWT_SECRET, 'tracy');
    await request(system.gatewayUrl, 'POST', '/api/account', { token });
    await request(system.gatewayUrl, 'POST', '/api/account/deposits', { token, body: { amount: 500 } });
    const placed = await request(system.gatewayUrl, 'POST', '/api/orders', { token, body: { amount: 120, description: 'traced' } });
    expect(placed.status).toBe(202);
    const orderId: string = placed.body.id;
    const paid = await eventually(
      () => request(system.gatewayUrl, 'GET', `/api/orders/${orderId}`, { token }),
      (answer) => answer.body.status !== 'NEW',
    );
    expect(paid.body.status).toBe('PAID');

    const ofOrder = (span: ReceivedSpan) => span.attributes.get('orderId') === orderId;
    const named = (service: string, name: string) => (span: ReceivedSpan) => span.service === service && span.name === name && ofOrder(span);
    // Each program exports in batches of its own, in no particular order: wait for every one's.
    const expected = [
      ['gateway', 'router - /api/orders'],
      ['orders', 'place order'],
      ['outbox-relay', 'publish outbox message'],
      ['payments-worker', 'RunWorkflow:paymentWorkflow'],
      ['payments-worker', 'RunActivity:debit'],
      ['orders-worker', 'RunActivity:completeOrder'],
    ] as const;
    await eventually(
      () => Promise.resolve(receiver.spans),
      (spans) => expected.every(([service, name]) => spans.some(named(service, name))),
    );
    const one = (service: string, name: string) => {
      const found = receiver.spans.filter(named(service, name));
      expect(found.map((span) => `${span.service} ${span.name}`)).toEqual([`${service} ${name}`]);
      return found[0] as ReceivedSpan;
    };
    const placeOrder = one('orders', 'place order');
    const publish = one('outbox-relay', 'publish outbox message');
    const start = receiver.spans.find((span) => span.service === 'outbox-relay' && span.name === 'StartWorkflow:paymentWorkflow' && span.parentSpanId === publish.spanId);
    const run = one('payments-worker', 'RunWorkflow:paymentWorkflow');
    const debit = one('payments-worker', 'RunActivity:debit');
    const complete = one('orders-worker', 'RunActivity:completeOrder');

    const trace = receiver.spans.filter((span) => span.traceId === placeOrder.traceId);
    // The gateway's spans come first: the order's id, learnt from the answer, is on one of them.
    expect(trace.some((span) => span.service === 'gateway' && span.parentSpanId === '')).toBe(true);
    expect(trace.some((span) => span.service === 'gateway' && ofOrder(span))).toBe(true);
    expect(new Set(trace.map((span) => span.service))).toEqual(new Set(['gateway', 'orders', 'outbox-relay', 'payments-worker', 'orders-worker']));
    for (const span of [publish, run, debit, complete]) expect(span.traceId).toBe(placeOrder.traceId);

    // Parent links: across the outbox, the relay's span is a child of the span that wrote the row;
    // the workflow a child of its start; every span's parent is in the trace.
    expect(publish.parentSpanId).toBe(placeOrder.spanId);
    expect(start).toBeDefined();
    expect(run.parentSpanId).toBe(start?.spanId);
    const ids = new Set(trace.map((span) => span.spanId));
    const roots = trace.filter((span) => !ids.has(span.parentSpanId));
    expect(roots.map((span) => `${span.service} ${span.name}`)).toHaveLength(1);
    expect(roots[0]?.service).toBe('gateway');

    // The trace leads to the order's log lines: the workers' lines carry its id.
    const logged = await eventually(
      () => Promise.resolve(readFileSync(system.logFile, 'utf8')),
      (log) => log.includes(`"traceId":"${placeOrder.traceId}"`),
    );
    expect(logged.split('\n').some((line) => line.includes(`"traceId":"${placeOrder.traceId}"`) && line.includes(orderId))).toBe(true);
  }, 60_000);
});

test('tracing is on only when OTEL_* asks for it, and OTEL_SDK_DISABLED wins', () => {
  expect(tracingRequested({})).toBe(false);
  expect(tracingRequested({ OTEL_SERVICE_NAME: 'gateway' })).toBe(false);
  expect(tracingRequested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(true);
  expect(tracingRequested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'http://127.0.0.1:4318/v1/traces' })).toBe(true);
  expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
  expect(tracingRequested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(false);
  expect(tracingRequested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' })).toBe(false);
});
