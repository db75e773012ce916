// The payment workflow's shape with nothing inside: one start, then two activities in sequence,
// the first on the workflow's own task queue (as debit is), the second on another (as completeOrder is).
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './noop.activities.ts';

export async function noopPayment(secondTaskQueue: string): Promise<void> {
  const { first } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });
  const { second } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds', taskQueue: secondTaskQueue });
  await first();
  await second();
}
