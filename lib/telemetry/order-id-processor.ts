import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { orderIdOf } from '../../workflows/names.ts';

/**
 * Where Temporal's interceptors name the workflow a span is about: its own spans (start,
 * activity) as `temporalWorkflowId`, the workflow's spans as `workflowId` (the workflow's info).
 */
const WORKFLOW_ID_ATTRIBUTES = ['temporalWorkflowId', 'workflowId'];

/**
 * Gives every span about a payment workflow the `orderId` attribute, read from the workflow id,
 * before it goes to `next`: the spans Temporal's interceptors make can then be found by order,
 * like the spans the services make themselves.
 */
export class OrderIdProcessor implements SpanProcessor {
  private readonly next: SpanProcessor;

  constructor(next: SpanProcessor) {
    this.next = next;
  }

  onStart(span: Span, parentContext: Context): void {
    this.next.onStart(span, parentContext);
  }

  onEnd(span: ReadableSpan): void {
    const workflowId = WORKFLOW_ID_ATTRIBUTES.map((key) => span.attributes[key]).find((value) => typeof value === 'string');
    const orderId = typeof workflowId === 'string' && span.attributes['orderId'] === undefined ? orderIdOf(workflowId) : undefined;
    // The span stays what it is (its methods live on its prototype); only its attributes are seen anew.
    this.next.onEnd(orderId ? (Object.create(span, { attributes: { value: { ...span.attributes, orderId } } }) as ReadableSpan) : span);
  }

  forceFlush(): Promise<void> {
    return this.next.forceFlush();
  }

  shutdown(): Promise<void> {
    return this.next.shutdown();
  }
}
