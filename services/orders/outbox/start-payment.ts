import { WorkflowExecutionAlreadyStartedError, type Client, type WorkflowIdReusePolicy } from '@temporalio/client';
import { paymentWorkflow } from '../../../workflows/payment.workflow.ts';
import { paymentWorkflowId, TASK_QUEUES } from '../../../workflows/names.ts';
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
        // Shown in the Web UI beside the payment: the request that placed the order.
        ...(request.requestId ? { memo: { requestId: request.requestId } } : {}),
      }),
    );
  } catch (error) {
    if (error instanceof WorkflowExecutionAlreadyStartedError) return;
    throw error;
  }
}
