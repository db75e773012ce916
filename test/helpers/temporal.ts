import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { freePort } from '../../lib/free-port.ts';
import { findTemporalCli } from '../../lib/temporal/temporal-cli.ts';
import { SEARCH_ATTRIBUTES } from '../../workflows/names.ts';

let runtimeInstalled = false;

/**
 * A real Temporal dev server (`temporal server start-dev`) on free ports, from the CLI that
 * `npm test` made sure of beforehand.
 */
export async function startTemporalDevServer(): Promise<TestWorkflowEnvironment> {
  if (!runtimeInstalled) {
    Runtime.install({ logger: new DefaultLogger('WARN') });
    runtimeInstalled = true;
  }
  const path = findTemporalCli();
  if (!path) throw new Error('No Temporal CLI found: run `node scripts/ensure-temporal-cli.ts` (npm test does).');
  return TestWorkflowEnvironment.createLocal({
    server: {
      executable: { type: 'existing-path', path },
      port: await freePort(),
      ui: false,
      log: { format: 'pretty', level: 'warn' },
      searchAttributes: Object.values(SEARCH_ATTRIBUTES),
    },
  });
}
