import { describe, expect, test } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { startTemporalDevServer, workerRuntime } from '../harness/temporal.ts';
import { DEFAULT_POOL_SIZE } from '../lib/config.ts';
import type { Orm } from '../lib/database/open-database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { startPayment } from '../services/orders/outbox/start-payment.ts';
import { createPaymentsWorker, PAYMENTS_CACHED_WORKFLOWS } from '../workers/worker-factories.ts';
import { paymentWorkflowId } from '../workflows/names.ts';
import { until } from './helpers/eventually.ts';

let temporal: TestWorkflowEnvironment;
let orm: Orm;
beforeAll(async () => {
  [temporal, orm] = await Promise.all([startTemporalDevServer(), openPaymentsDatabase(freshDatabaseUrl('payments'), DEFAULT_POOL_SIZE)]);
});
afterAll(async () => {
  await orm.close();
  await temporal.teardown();
});

// The payments worker as it runs by default: as many activity slots as the default pool has connections.
describe('the payments worker', () => {
  test('caches a bounded number of workflows, not the thousands the SDK derives from the heap limit', async () => {
    const worker = await createPaymentsWorker({ connection: temporal.nativeConnection, orm });
    // Run, if only for the check: a worker that never ran keeps its connection from closing.
    await worker.runUntil(() => Promise.resolve(expect(worker.options.maxCachedWorkflows).toBe(PAYMENTS_CACHED_WORKFLOWS)));
    expect(PAYMENTS_CACHED_WORKFLOWS).toBeLessThanOrEqual(400);
  });

  test('is handed the debit eagerly, in the answer to the workflow task that scheduled it, not through matching', async () => {
    const worker = await createPaymentsWorker({ connection: temporal.nativeConnection, orm });
    const request = { orderId: crypto.randomUUID(), userId: 'nobody', amount: 1, currency: 'USD' };
    await worker.runUntil(async () => {
      await startPayment(temporal.client, request);
      // The debit (NO_ACCOUNT: this database has no accounts) then waits on completeOrder, which no worker serves here.
      await until(async () => (await debitsReceived()).length > 0, 'the payments worker received the debit');
      await temporal.client.workflow.getHandle(paymentWorkflowId(request.orderId)).terminate();
    });
    expect(await debitsReceived()).toEqual([true]);
  });
});

/** For each way the payments worker got debits so far (eager or polled), whether it was eager. */
async function debitsReceived(): Promise<boolean[]> {
  const text = await fetch((await workerRuntime()).metricsUrl).then((answer) => answer.text());
  return [...text.matchAll(/^temporal_activity_task_received\{([^}]*activity_type="debit"[^}]*)\} [1-9]/gm)].map(([, labels]) => labels?.includes('eager="true"') ?? false);
}
