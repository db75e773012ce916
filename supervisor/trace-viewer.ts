// The trace viewer as a child of the supervisor (TRACE_VIEWER=true): Jaeger, keeping the traces
// in memory, taking OTLP over HTTP from the programs on loopback and serving its UI and query API.
// Jaeger cannot notice that its parent is gone; this process runs it, says when it answers, and
// takes it down with it.
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { tellParentReady, whenParentGone } from '../lib/parent-process.ts';
import { defaultPort } from './programs.ts';

const config = readConfig({
  DATA_DIR: z.string().min(1),
  TRACE_VIEWER_PATH: z.string().min(1),
  TRACE_VIEWER_PORT: setting.port(defaultPort('TRACE_VIEWER_PORT')),
  TRACE_VIEWER_OTLP_PORT: setting.port(defaultPort('TRACE_VIEWER_OTLP_PORT')),
  /** A folder of Jaeger UI assets, for a Jaeger built without them (a build from the Go module serves a placeholder page). */
  TRACE_VIEWER_UI_ASSETS: z.string().min(1).optional(),
});

// Only what a local viewer needs, every port on loopback and named here: the OTLP/HTTP receiver,
// the in-memory store, the UI and API (its gRPC API on a port of the system's choosing), no
// metrics port of its own.
const STORE = 'memory_store';
const jaegerConfig = {
  service: {
    extensions: ['jaeger_storage', 'jaeger_query'],
    pipelines: { traces: { receivers: ['otlp'], processors: ['batch'], exporters: ['jaeger_storage_exporter'] } },
    telemetry: { metrics: { level: 'none' }, logs: { level: 'warn' } },
  },
  extensions: {
    jaeger_storage: { backends: { [STORE]: { memory: { max_traces: 100_000 } } } },
    jaeger_query: {
      storage: { traces: STORE },
      enable_tracing: false,
      http: { endpoint: `127.0.0.1:${config.TRACE_VIEWER_PORT}` },
      grpc: { endpoint: '127.0.0.1:0' },
      ...(config.TRACE_VIEWER_UI_ASSETS ? { ui: { assets_path: config.TRACE_VIEWER_UI_ASSETS } } : {}),
    },
  },
  receivers: { otlp: { protocols: { http: { endpoint: `127.0.0.1:${config.TRACE_VIEWER_OTLP_PORT}` } } } },
  processors: { batch: {} },
  exporters: { jaeger_storage_exporter: { trace_storage: STORE } },
};
// YAML reads JSON as it is.
const configFile = join(config.DATA_DIR, 'trace-viewer.yaml');
writeFileSync(configFile, JSON.stringify(jaegerConfig, null, 2));

const viewer = spawn(config.TRACE_VIEWER_PATH, ['--config', configFile], { stdio: ['ignore', 'inherit', 'inherit'] });
console.log(`starting Jaeger: UI and API on port ${config.TRACE_VIEWER_PORT}, OTLP/HTTP on port ${config.TRACE_VIEWER_OTLP_PORT}`);
viewer.once('error', (error) => {
  console.error(`could not run ${config.TRACE_VIEWER_PATH}: ${error.message}`);
  process.exit(1);
});
viewer.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
const stop = () => viewer.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
whenParentGone(stop);

// Ready when its query API answers.
const api = `http://127.0.0.1:${config.TRACE_VIEWER_PORT}/api/services`;
while (!(await fetch(api, { signal: AbortSignal.timeout(1_000) }).then((response) => response.ok, () => false))) {
  await new Promise((resolve) => setTimeout(resolve, 200));
}
tellParentReady();
