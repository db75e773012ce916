// The trace an operation belongs to, through the OpenTelemetry API alone: with tracing off (no
// SDK started) every call here is the API's no-op, and no traceparent is ever made.
import { context, propagation, ROOT_CONTEXT, SpanStatusCode, trace, type Attributes, type Context } from '@opentelemetry/api';

const tracer = trace.getTracer('shop-payments');

/** The W3C `traceparent` of the active span, to carry its trace where no request goes (an outbox row); null while tracing is off. */
export function currentTraceparent(): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier['traceparent'] ?? null;
}

/** The context that continues the trace a stored `traceparent` names; a fresh trace without one. */
export function continuing(traceparent: string | null): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

/** Runs `work` in a span of its own, a child of `parent` (the active span by default); a failure is recorded on the span. */
export function inSpan<T>(name: string, attributes: Attributes, work: () => Promise<T>, parent: Context = context.active()): Promise<T> {
  return tracer.startActiveSpan(name, { attributes }, parent, async (span) => {
    try {
      return await work();
    } catch (error) {
      span.recordException(error instanceof Error ? error : String(error));
      span.setStatus({ code: SpanStatusCode.ERROR });
      throw error;
    } finally {
      span.end();
    }
  });
}

/** Adds attributes to the active span (one an instrumentation made), if there is one. */
export function describeActiveSpan(attributes: Attributes): void {
  trace.getActiveSpan()?.setAttributes(attributes);
}
