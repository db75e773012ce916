import { proxyActivities } from '@temporalio/workflow';
import type * as activities from './smoke.activities.ts';

const { greet } = proxyActivities<typeof activities>({ startToCloseTimeout: '10 seconds' });

export async function smokeWorkflow(name: string): Promise<string> {
  return greet(name);
}
