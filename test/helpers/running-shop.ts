import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { startSaga } from '../../harness/saga.ts';
import { startStack, type Stack } from '../../harness/stack.ts';
import { startTemporalDevServer } from '../../harness/temporal.ts';

export interface RunningShop {
  temporal: TestWorkflowEnvironment;
  stack: Stack;
}

/**
 * For a test file: a Temporal dev server, the services and gateway, both workers and (unless
 * `relay: false`) a relay,
 * started before its tests and stopped after them. Read the fields inside tests, not before.
 */
export function useRunningShop(options: { relay?: boolean } = {}): RunningShop {
  const shop = {} as RunningShop;
  let saga: { stop(): Promise<void> } | undefined;
  beforeAll(async () => {
    [shop.temporal, shop.stack] = await Promise.all([startTemporalDevServer(), startStack()]);
    saga = await startSaga(shop.stack, shop.temporal, options);
  });
  afterAll(async () => {
    await saga?.stop();
    await shop.stack.stop();
    await shop.temporal.teardown();
  });
  return shop;
}
