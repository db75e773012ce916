import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** An activity that has failed this often is stuck behind a dependency that is down. */
export const ATTEMPT_ALERT_THRESHOLD = 10;

/**
 * Counts activity executions beyond the threshold (`activity_attempts_over_threshold`, tagged
 * `activityType` by the SDK): the ActivityRetryingLong alert watches it. The debit and the
 * order report retry without an attempt cap, so this is how a stuck one is seen.
 */
export function countLongRetries(threshold = ATTEMPT_ALERT_THRESHOLD): ActivityInterceptorsFactory {
  return (context) => ({
    inbound: {
      execute(input, next) {
        if (context.info.attempt > threshold) {
          context.metricMeter.createCounter('activity_attempts_over_threshold', '1', `Activity attempts after the first ${threshold}`).add(1);
        }
        return next(input);
      },
    },
  });
}
