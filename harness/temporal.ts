import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import { freePort } from './free-port.ts';
import { findTemporalCli } from '../supervisor/temporal-cli.ts';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from '../supervisor/temporal-dev-server-tuning.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/names.ts';

let runtime: { metricsUrl: string; logs: LogEntry[] } | undefined;

/**
 * The Temporal runtime of this test process, as the workers install it: warnings and errors of
 * workflows and activities kept in `logs`, and the SDK's and activities' metrics served in the
 * Prometheus format at `metricsUrl`.
 */
export async function workerRuntime(): Promise<{ metricsUrl: string; logs: LogEntry[] }> {
  if (!runtime) {
    const logs: LogEntry[] = [];
    const bindAddress = `127.0.0.1:${await freePort()}`;
    Runtime.install({
      logger: new DefaultLogger('WARN', (entry) => logs.push(entry)),
      telemetryOptions: { metrics: { prometheus: { bindAddress } } },
    });
    runtime = { metricsUrl: `http://${bindAddress}/metrics`, logs };
  }
  return runtime;
}

/**
 * A real Temporal dev server (`temporal server start-dev`) on free ports, from the CLI that
 * `npm test` made sure of beforehand, tuned as the supervisor's; its client works in `namespace`, made at launch.
 */
export async function startTemporalDevServer(namespace = 'default'): Promise<TestWorkflowEnvironment> {
  await workerRuntime();
  const path = findTemporalCli();
  if (!path) throw new Error('No Temporal CLI found: run `node scripts/ensure-temporal-cli.ts` (npm test does).');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      port: await freePort(),
      namespace,
      ui: false,
      log: { format: 'pretty', level: 'warn' },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
      // The supervisor's dev server's tuning, so tests run the Temporal that `npm start` runs.
      extraArgs: DEV_SERVER_DYNAMIC_CONFIG_ARGS,
    },
  });
}
