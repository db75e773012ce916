// OpenTelemetry tracing for a program: the first import of every program's entry, so that the
// instrumentations are in place before koa, pg and fetch are loaded. Configured by the standard
// variables (OTEL_EXPORTER_OTLP_ENDPOINT, OTEL_EXPORTER_OTLP_PROTOCOL, OTEL_SERVICE_NAME,
// OTEL_TRACES_EXPORTER, OTEL_SDK_DISABLED); with none of them set it loads nothing and costs nothing.
import { createRequire } from 'node:module';
import type { Resource } from '@opentelemetry/resources';
import type { SpanProcessor } from '@opentelemetry/sdk-trace';

/** What the programs that add spans of their own (the workers' workflow spans) need; none while tracing is off. */
export interface Tracing {
  resource: Resource;
  /** Where spans go: the exporter the OTEL_* variables name, behind a batching processor; spans about a payment get its orderId. */
  processor: SpanProcessor;
  /** Exports what is still buffered; a stopping program calls it last. */
  shutdown: () => Promise<void>;
}

/** Whether the environment asks for traces: an exporter or an endpoint is named, and the SDK is not disabled. */
export function tracingRequested(env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporter = env['OTEL_TRACES_EXPORTER']?.trim();
  if (exporter) return exporter !== 'none';
  return Boolean(env['OTEL_EXPORTER_OTLP_ENDPOINT'] || env['OTEL_EXPORTER_OTLP_TRACES_ENDPOINT']);
}

// Synchronous on purpose: the entry's next imports (koa, pg) are evaluated right after this
// module, and a top-level await here would not hold them back. require() of the SDK only when asked.
const require = createRequire(import.meta.url);
export const tracing: Tracing | undefined = tracingRequested(process.env)
  ? (require('./start-tracing.ts') as typeof import('./start-tracing.ts')).startTracing(process.env)
  : undefined;
