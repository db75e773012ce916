// What a worker adds when tracing is on (lib/telemetry/tracing.ts): Temporal's OpenTelemetry
// interceptors, so each activity is a span in the trace of the workflow that scheduled it, and
// the sink through which the workflow's own spans leave its sandbox (its interceptors are bundled
// with the workflow code: TRACED_WORKFLOW_SOURCE).
import { TraceFlags } from '@opentelemetry/api';
import type { ReadableSpan, SpanProcessor } from '@opentelemetry/sdk-trace';
import { makeWorkflowExporter, OpenTelemetryActivityInboundInterceptor, OpenTelemetryActivityOutboundInterceptor } from '@temporalio/interceptors-opentelemetry';
import type { Sinks } from '@temporalio/workflow';
import type { ActivityInterceptorsFactory, InjectedSinks } from '@temporalio/worker';
import type { Tracing } from '../lib/telemetry/tracing.ts';

/** Each activity a span, a child of the workflow's span that scheduled it. */
export const activityTracing: ActivityInterceptorsFactory = (ctx) => ({
  inbound: new OpenTelemetryActivityInboundInterceptor(ctx),
  outbound: new OpenTelemetryActivityOutboundInterceptor(ctx),
});

/**
 * The sink the workflow interceptors export their spans through. They build the spans with the
 * OpenTelemetry JS 1.x SDK inside the sandbox (parentSpanId, instrumentationLibrary); this
 * process's exporters are 3.x (parentSpanContext, instrumentationScope), and would otherwise
 * send every workflow span as a root, cut off from the relay's start.
 */
export function workflowSpanSinks(tracing: Tracing): InjectedSinks<Sinks> {
  const processor: Pick<SpanProcessor, 'onStart' | 'onEnd' | 'forceFlush' | 'shutdown'> = {
    onStart: () => undefined,
    onEnd: (span) => tracing.processor.onEnd(currentShape(span)),
    forceFlush: () => tracing.processor.forceFlush(),
    // The program's own processor is shut down with the program.
    shutdown: () => Promise.resolve(),
  };
  // The SDK types of the two majors differ only where currentShape bridges them.
  return { exporter: makeWorkflowExporter(processor as unknown as ProcessorOverload[0], tracing.resource as unknown as ProcessorOverload[1]) };
}

// eslint-disable-next-line @typescript-eslint/no-deprecated -- Parameters<> reads the last overload, the SpanProcessor one, which is not deprecated
type ProcessorOverload = Parameters<typeof makeWorkflowExporter>;

interface OneDotXSpan extends ReadableSpan {
  parentSpanId?: string;
  instrumentationLibrary?: ReadableSpan['instrumentationScope'];
}

function currentShape(span: ReadableSpan): ReadableSpan {
  const old = span as OneDotXSpan;
  const { traceId } = span.spanContext();
  return {
    ...old,
    parentSpanContext: old.parentSpanId ? { traceId, spanId: old.parentSpanId, traceFlags: TraceFlags.SAMPLED } : undefined,
    instrumentationScope: old.instrumentationLibrary ?? { name: '@temporalio/interceptors-opentelemetry' },
  };
}
