import { MockActivityEnvironment } from '@temporalio/testing';

type Activities = Record<string, (...args: never[]) => Promise<unknown>>;

/**
 * The activities, each called as a worker would call it: inside an activity context (their log
 * lines need one), which Temporal's MockActivityEnvironment gives without a server. For a test
 * that calls an activity straight, as a late or duplicate delivery would.
 */
export function asDelivered<T extends Activities>(activities: T): T {
  return Object.fromEntries(
    Object.entries(activities).map(([name, activity]) => [name, (...args: Parameters<typeof activity>) => new MockActivityEnvironment({ activityType: name }).run(activity, ...args)]),
  ) as T;
}
