import { readdirSync, readFileSync } from 'node:fs';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { DefaultLogger, makeTelemetryFilterString, Runtime, Worker } from '@temporalio/worker';
import { DeterminismViolationError } from '@temporalio/workflow';
import { workflowBundle, WORKFLOWS_PATH } from '../workers/workflow-bundle.ts';

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
    // The negative controls fail workflow tasks on purpose: core's warning for each is expected.
    Runtime.install({ logger: new DefaultLogger('ERROR'), telemetryOptions: { logging: { filter: makeTelemetryFilterString({ core: 'ERROR' }) } } });
  } catch {
    // Already installed by another suite in this worker.
  }
});

// The branch each recorded scenario takes. v1-*: the same scenario on the code before the give-up
// paths; v2-*: after them, from a relay that did not yet set the search attributes at the start.
const BRANCH_OF: Record<string, string> = {
  paid: 'PAID',
  'insufficient-funds': 'INSUFFICIENT_FUNDS',
  'no-account': 'NO_ACCOUNT',
  'retried-activity': 'PAID',
  abandoned: 'VOID',
  'currency-mismatch': 'CURRENCY_MISMATCH',
  conflict: 'CONFLICT',
};
const branchOf = (name: string) => BRANCH_OF[name.replace(/^v\d-/, '')] ?? 'unknown';

test('the recorded scenarios are all there', () => {
  const scenarios = ['insufficient-funds', 'no-account', 'paid', 'retried-activity'];
  // v1-*: recorded before the give-up paths (patched 'give-up-paths'), replaying the old branch.
  const added = ['abandoned', 'currency-mismatch', 'conflict'];
  const today = [...scenarios, ...added];
  // v2-*: with the give-up paths, the search attributes upserted by the workflow, not set at the start.
  expect(histories.map((history) => history.name).sort()).toEqual(
    [...today, ...today.map((name) => `v2-${name}`), ...scenarios.map((name) => `v1-${name}`)].sort(),
  );
});

test.each(histories.map((history) => [history.name, history] as const))('the %s history replays on the current workflow code', async (_name, { workflowId, history }) => {
  // The very bundle the payments worker runs.
  await expect(Worker.runReplayHistory({ workflowBundle: await workflowBundle() }, history, workflowId)).resolves.toBeUndefined();
});

test('a history fails to replay when the commands of its own branch change, and only then', async () => {
  // Every history under every branch's alteration: the workflow id names the altered branch.
  const alterations = [...new Set(Object.values(BRANCH_OF))];
  const replays = histories.flatMap(({ workflowId, history }) => alterations.map((branch) => ({ workflowId: `${branch}:${workflowId}`, history })));
  // The workflow code with a test's interceptor in it: a bundle of its own, not the worker's.
  const interceptors = { workflowModules: [new URL('./temporal/alter-branch.interceptors.ts', import.meta.url).pathname] };
  const failed: string[] = [];
  for await (const result of Worker.runReplayHistories({ workflowsPath: WORKFLOWS_PATH, interceptors }, replays)) {
    if (!result.error) continue;
    expect(result.error).toBeInstanceOf(DeterminismViolationError);
    failed.push(result.workflowId);
  }
  expect(failed.sort()).toEqual(histories.map(({ name, workflowId }) => `${branchOf(name)}:${workflowId}`).sort());
}, 60_000);
