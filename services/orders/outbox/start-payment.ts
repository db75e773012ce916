import { isGrpcServiceError, WorkflowExecutionAlreadyStartedError, type Client, type WorkflowIdReusePolicy } from '@temporalio/client';
import { paymentWorkflow } from '../../../workflows/payment.workflow.ts';
import { paymentWorkflowId, SEARCH_ATTRIBUTES, TASK_QUEUES } from '../../../workflows/names.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';

/**
 * Starts the order's payment workflow. The workflow id is the dedupe key: "already started"
 * means an earlier attempt got through, so it counts as success. A start that takes longer than
 * `timeoutMs` fails (and is retried later), so an unreachable server cannot hold the relay.
 * The reconciler re-arms a failed run with ALLOW_DUPLICATE_FAILED_ONLY.
 */
export async function startPayment(
  client: Client,
  request: PaymentRequest,
  timeoutMs = 10_000,
  reusePolicy: WorkflowIdReusePolicy = 'REJECT_DUPLICATE',
): Promise<void> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.start(paymentWorkflow, {
        taskQueue: TASK_QUEUES.payments,
        workflowId: paymentWorkflowId(request.orderId),
        workflowIdReusePolicy: reusePolicy,
        args: [request],
        // Set with the start, so the workflow need not upsert them (one visibility write, not two).
        typedSearchAttributes: [
          { key: SEARCH_ATTRIBUTES.orderId, value: request.orderId },
          { key: SEARCH_ATTRIBUTES.userId, value: request.userId },
        ],
        // Shown in the Web UI beside the payment: the request that placed the order.
        ...(request.requestId ? { memo: { requestId: request.requestId } } : {}),
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}

/** gRPC's status code for a request the server refuses as malformed. */
const GRPC_INVALID_ARGUMENT = 3;

/**
 * Whether a failed start says Temporal could not take any start just then (down, unreachable,
 * too slow, overloaded, misconfigured): a gRPC failure other than INVALID_ARGUMENT. Such a
 * failure says nothing about the row. Temporal refusing this request (INVALID_ARGUMENT), or the
 * client failing before sending it, does.
 */
export function temporalUnavailable(error: unknown): boolean {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (isGrpcServiceError(cause)) return (cause.code as number) !== GRPC_INVALID_ARGUMENT;
  }
  return false;
}
