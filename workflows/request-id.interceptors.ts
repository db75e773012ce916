// Bundled with the workflow code as an interceptor module (workers/workflow-bundle.ts).
import { defaultPayloadConverter } from '@temporalio/common';
import { workflowInfo, type WorkflowInterceptorsFactory } from '@temporalio/workflow';
import { REQUEST_ID_HEADER } from './names.ts';

/**
 * Hands the request id the relay put in the workflow's memo to every activity the workflow
 * schedules, as a header: the activities' log lines carry it (workers/log-ids.ts). Headers are
 * not part of the history's commands, so replays are unchanged.
 */
export const interceptors: WorkflowInterceptorsFactory = () => ({
  outbound: [
    {
      scheduleActivity(input, next) {
        const requestId = workflowInfo().memo?.['requestId'];
        if (typeof requestId !== 'string') return next(input);
        return next({ ...input, headers: { ...input.headers, [REQUEST_ID_HEADER]: defaultPayloadConverter.toPayload(requestId) } });
      },
    },
  ],
});
