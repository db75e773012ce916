import { defaultPayloadConverter } from '@temporalio/common';
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { currentLogIds } from '../lib/log-context.ts';
import { PAYMENT_WORKFLOW_ID_PREFIX, REQUEST_ID_HEADER } from '../workflows/names.ts';

/**
 * Every line an activity's context logger writes (the SDK's own about it included) carries, beside
 * the SDK's workflowId and activity fields, the order it works for, the request that placed the
 * order (a header from the workflow: workflows/request-id.interceptors.ts) and the trace. Added
 * when the line is written: the runtime logger writes it out later, outside the activity.
 */
export function logIds(): ActivityInterceptorsFactory {
  return (context) => {
    const workflowId = context.info.workflowExecution?.workflowId ?? '';
    const ids: Record<string, string> = workflowId.startsWith(PAYMENT_WORKFLOW_ID_PREFIX) ? { orderId: workflowId.slice(PAYMENT_WORKFLOW_ID_PREFIX.length) } : {};
    return {
      inbound: {
        execute(input, next) {
          const header = input.headers[REQUEST_ID_HEADER];
          const requestId: unknown = header ? defaultPayloadConverter.fromPayload(header) : undefined;
          if (typeof requestId === 'string') ids['requestId'] = requestId;
          return next(input);
        },
      },
      outbound: {
        getLogAttributes: (attributes, next) => next({ ...attributes, ...ids, ...currentLogIds() }),
      },
    };
  };
}
