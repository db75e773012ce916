import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { startTemporalDevServer } from '../harness/temporal.ts';
import * as activities from './temporal/smoke.activities.ts';
import { smokeWorkflow } from './temporal/smoke.workflow.ts';

let temporal: TestWorkflowEnvironment;
beforeAll(async () => {
  temporal = await startTemporalDevServer();
});
afterAll(() => temporal.teardown());

test('a workflow runs its activity on a real worker against a real dev server', async () => {
  const worker = await Worker.create({
    connection: temporal.nativeConnection,
    taskQueue: 'smoke',
    workflowsPath: new URL('./temporal/smoke.workflow.ts', import.meta.url).pathname,
    activities,
  });
  const result = await worker.runUntil(
    temporal.client.workflow.execute(smokeWorkflow, { taskQueue: 'smoke', workflowId: 'smoke-1', args: ['Temporal'] }),
  );
  expect(result).toBe('Hello, Temporal!');
  const history = await temporal.client.workflow.getHandle('smoke-1').fetchHistory();
  expect(history.events?.some((event) => event.activityTaskCompletedEventAttributes)).toBe(true);
});
