// A negative control for the replay tests: the payment workflow with the commands of one branch
// changed (the outcome branches: their report; the conflict: its failure), the branch named by the workflow id the test replays under ("<branch>:<id>"). A history
// of that branch must then fail to replay, and the histories of every other branch must not.
import { RetryState } from '@temporalio/common';
import { ActivityFailure, TimeoutFailure, workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';

export const interceptors: WorkflowInterceptorsFactory = () => {
  const branch = workflowInfo().workflowId.split(':')[0];
  return {
    outbound: [
      {
        async scheduleActivity(input, next) {
          // An outcome branch: its report becomes another activity.
          if (input.activityType === 'completeOrder' && input.args[1] === branch) return next({ ...input, activityType: 'completeOrderOtherwise' });
          if (input.activityType !== 'debit' || branch !== 'CONFLICT') return next(input);
          // The conflict branch: a debit failing for another reason than its deadline no longer fails the workflow.
          try {
            return await next(input);
          } catch (error) {
            if (error instanceof ActivityFailure && (error.retryState === RetryState.TIMEOUT || error.cause instanceof TimeoutFailure)) throw error;
            return 'PAID';
          }
        },
      },
    ],
  };
};
