// The OpenTelemetry SDK, started by tracing.ts only when the environment asks for traces.
import { OTLPTraceExporter as OtlpGrpcExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { OTLPTraceExporter as OtlpJsonExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OtlpProtobufExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { KoaInstrumentation } from '@opentelemetry/instrumentation-koa';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { defaultResource, detectResources, processDetector, resourceAttributesEnvDetector, serviceNameEnvDetector } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { register as interceptImports } from 'import-in-the-middle/register-hooks.mjs';
import { BatchSpanProcessor, ConsoleSpanExporter, type SpanExporter } from '@opentelemetry/sdk-trace';
import { ConfigError } from '../config.ts';
import { OrderIdProcessor } from './order-id-processor.ts';
import type { Tracing } from './tracing.ts';

/**
 * The exporter OTEL_TRACES_EXPORTER names (`otlp`, the default, or `console`), over the protocol
 * OTEL_EXPORTER_OTLP_(TRACES_)PROTOCOL names. The exporters read their endpoint, headers and
 * timeout from the environment themselves.
 */
function exporterFrom(env: NodeJS.ProcessEnv): SpanExporter {
  const exporter = env['OTEL_TRACES_EXPORTER']?.trim() || 'otlp';
  if (exporter === 'console') return new ConsoleSpanExporter();
  if (exporter !== 'otlp') throw new ConfigError('OTEL_TRACES_EXPORTER must be otlp, console or none');
  const protocol = (env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'] ?? env['OTEL_EXPORTER_OTLP_PROTOCOL'] ?? 'http/protobuf').trim();
  if (protocol === 'http/protobuf') return new OtlpProtobufExporter();
  if (protocol === 'http/json') return new OtlpJsonExporter();
  if (protocol === 'grpc') return new OtlpGrpcExporter();
  throw new ConfigError('OTEL_EXPORTER_OTLP_PROTOCOL must be http/protobuf, http/json or grpc');
}

export function startTracing(env: NodeJS.ProcessEnv): Tracing {
  // koa is an ES module here: only an import hook sees it load (pg, undici and http are patched without one).
  interceptImports({ include: ['koa'] });
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector), and which process it is.
  const resource = defaultResource().merge(detectResources({ detectors: [serviceNameEnvDetector, resourceAttributesEnvDetector, processDetector] }));
  const processor = new OrderIdProcessor(new BatchSpanProcessor({ exporter: exporterFrom(env) }));
  const sdk = new NodeSDK({
    resource,
    autoDetectResources: false,
    spanProcessors: [processor],
    instrumentations: [
      // Health and readiness probes would bury the orders' traces.
      new HttpInstrumentation({ ignoreIncomingRequestHook: (request) => /^\/(healthz|readyz)\b/.test(request.url ?? '') }),
      new KoaInstrumentation(),
      new PgInstrumentation(),
      new UndiciInstrumentation(),
    ],
  });
  sdk.start();
  return { resource, processor, shutdown: () => sdk.shutdown() };
}
