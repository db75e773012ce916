import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { WORKFLOWS_PATH } from '../workers/run-worker.ts';

// Histories of real runs, recorded by `npm run record-histories`: the workflow code of today
// must replay every one of them, or it would break payments already in flight.
const directory = new URL('./histories/', import.meta.url);
const histories = readdirSync(directory)
  .filter((file) => file.endsWith('.json'))
  .map((file) => {
    const { workflowId, history } = JSON.parse(readFileSync(new URL(file, directory), 'utf8')) as { workflowId: string; history: unknown };
    return { name: file.replace(/\.json$/, ''), workflowId, history: historyFromJSON(history) };
  });

beforeAll(() => {
  try {
    Runtime.install({ logger: new DefaultLogger('ERROR') });
  } catch {
    // Already installed by another suite in this worker.
  }
});

test('the recorded scenarios are all there', () => {
  const scenarios = ['insufficient-funds', 'no-account', 'paid', 'retried-activity'];
  // v1-*: recorded before the give-up paths (patched 'give-up-paths'), replaying the old branch.
  expect(histories.map((history) => history.name).sort()).toEqual(['abandoned', ...scenarios, ...scenarios.map((name) => `v1-${name}`)].sort());
});

test.each(histories.map((history) => [history.name, history] as const))('the %s history replays on the current workflow code', async (_name, { workflowId, history }) => {
  await expect(Worker.runReplayHistory({ workflowsPath: WORKFLOWS_PATH }, history, workflowId)).resolves.toBeUndefined();
});

test('a workflow whose commands changed fails to replay them', async () => {
  const workflowsPath = new URL('./temporal/reordered-payment.workflow.ts', import.meta.url).pathname;
  const results = Worker.runReplayHistories({ workflowsPath }, histories.map(({ workflowId, history }) => ({ workflowId, history })));
  const errors = [];
  for await (const result of results) errors.push(result.error);
  expect(errors).toHaveLength(histories.length);
  for (const error of errors) expect(error).toBeInstanceOf(DeterminismViolationError);
});
