import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { paymentWorkflow } from '../../../workflows/payment.workflow.ts';
import { paymentWorkflowId, TASK_QUEUES } from '../../../workflows/names.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';

/**
 * Starts the order's payment workflow. The workflow id is the dedupe key: "already started"
 * means an earlier attempt got through, so it counts as success. A start that takes longer than
 * `timeoutMs` fails (and is retried later), so an unreachable server cannot hold the relay.
 */
export async function startPayment(client: Client, request: PaymentRequest, timeoutMs = 10_000): Promise<void> {
  try {
    await client.withDeadline(Date.now() + timeoutMs, () =>
      client.workflow.start(paymentWorkflow, {
        taskQueue: TASK_QUEUES.payments,
        workflowId: paymentWorkflowId(request.orderId),
        workflowIdReusePolicy: 'REJECT_DUPLICATE',
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
