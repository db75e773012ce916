// The Temporal dev server as a child of the supervisor. The CLI is a Go binary that cannot notice
// that its parent is gone; this process runs it, says when it answers, and takes it down with it.
// Its state is in SQLite under the data folder (a restart loses no workflow), with the programs'
// namespace and the search attributes the payment workflow sets, and the dynamic config of
// temporal-dev-server-tuning.ts.
import { join } from 'node:path';
import { Connection } from '@temporalio/client';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { tellParentReady } from '../lib/parent-process.ts';
import { SEARCH_ATTRIBUTE_SPECS } from '../ops/temporal/server.ts';
import { defaultPort } from './programs.ts';
import { DEV_SERVER_DYNAMIC_CONFIG_ARGS } from './temporal-dev-server-tuning.ts';
import { runWrappedServer, untilServing } from './wrapped-server.ts';

const config = readConfig({
  DATA_DIR: z.string().min(1),
  TEMPORAL_CLI_PATH: z.string().min(1),
  TEMPORAL_PORT: setting.port(defaultPort('TEMPORAL_PORT')),
  TEMPORAL_UI_PORT: setting.port(defaultPort('TEMPORAL_UI_PORT')),
  TEMPORAL_NAMESPACE: setting.temporalNamespace(),
});
const address = `127.0.0.1:${config.TEMPORAL_PORT}`;
const searchAttributes = SEARCH_ATTRIBUTE_SPECS.flatMap((spec) => ['--search-attribute', spec]);
// The programs' namespace, made at launch beside `default` (which the dev server always has).
const namespace = config.TEMPORAL_NAMESPACE === 'default' ? [] : ['--namespace', config.TEMPORAL_NAMESPACE];
runWrappedServer(
  config.TEMPORAL_CLI_PATH,
  [
    'server',
    'start-dev',
    '--ip',
    '127.0.0.1',
    '--port',
    String(config.TEMPORAL_PORT),
    '--ui-port',
    String(config.TEMPORAL_UI_PORT),
    '--db-filename',
    join(config.DATA_DIR, 'temporal.db'),
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
    '--log-level',
    'warn',
    ...DEV_SERVER_DYNAMIC_CONFIG_ARGS,
    ...namespace,
    ...searchAttributes,
  ],
  // Stopping, the single-binary server stops its frontend before its own system workers, which then
  // warn of every poll the closed frontend cut (temporalio/temporal#4383, open): a screenful of
  // warnings on each Ctrl-C that says nothing about the shop. Its warnings are dropped once it has
  // been asked to stop; its errors, and everything before, pass.
  { quietWhenStopping: /level=WARN/ },
);
console.log(`starting the Temporal dev server on ${address} (state in ${join(config.DATA_DIR, 'temporal.db')})`);
// Ready when it answers for the namespace, not merely when its port is open.
await untilServing(async () => {
  const connection = await Connection.connect({ address, connectTimeout: 1_000 });
  try {
    await connection.workflowService.describeNamespace({ namespace: config.TEMPORAL_NAMESPACE });
    return true;
  } finally {
    await connection.close();
  }
}, 200);
tellParentReady();
