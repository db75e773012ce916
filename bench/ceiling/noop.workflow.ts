// The payment workflow's shape with nothing inside: one start, two activities in sequence.
import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './noop.activities.ts';

const { first, second } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export async function noopPayment(): Promise<void> {
  await first();
  await second();
}
