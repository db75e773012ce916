import type { ActivityInterceptorsFactory } from '@temporalio/worker';

/** An activity that has failed this often is stuck behind a dependency that is down. */
export const ATTEMPT_ALERT_THRESHOLD = 10;

/**
 * Counts activity executions beyond ATTEMPT_ALERT_THRESHOLD (`activity_attempts_over_threshold`,
 * tagged with the activity type by the SDK): the ActivityRetryingLong alert watches it. The
 * debit and the order report retry without an attempt cap, so this is how a stuck one is seen.
 */
export const countLongRetries: ActivityInterceptorsFactory = (context) => ({
  inbound: {
    execute(input, next) {
      if (context.info.attempt > ATTEMPT_ALERT_THRESHOLD) {
        context.metricMeter.createCounter('activity_attempts_over_threshold', '1', `Activity attempts beyond the ${ATTEMPT_ALERT_THRESHOLD}th`).add(1);
      }
      return next(input);
    },
  },
});
