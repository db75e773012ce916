import { describe, expect, test } from '@jest/globals';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { freshDatabaseUrl } from '../harness/database-url.ts';
import { startTemporalDevServer } from '../harness/temporal.ts';
import type { Orm } from '../lib/database/open-database.ts';
import { openPaymentsDatabase } from '../services/payments/database.ts';
import { createPaymentsWorker, PAYMENTS_CACHED_WORKFLOWS } from '../workers/worker-factories.ts';

let temporal: TestWorkflowEnvironment;
let orm: Orm;
beforeAll(async () => {
  [temporal, orm] = await Promise.all([startTemporalDevServer(), openPaymentsDatabase(freshDatabaseUrl('payments'), 2)]);
});
afterAll(async () => {
  await orm.close();
  await temporal.teardown();
});

describe('the payments worker', () => {
  test('caches a bounded number of workflows, not the thousands the SDK derives from the heap limit', async () => {
    const worker = await createPaymentsWorker({ connection: temporal.nativeConnection, orm });
    // Run, if only for the check: a worker that never ran keeps its connection from closing.
    await worker.runUntil(() => Promise.resolve(expect(worker.options.maxCachedWorkflows).toBe(PAYMENTS_CACHED_WORKFLOWS)));
    expect(PAYMENTS_CACHED_WORKFLOWS).toBeLessThanOrEqual(400);
  });
});
