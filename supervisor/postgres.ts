// The embedded PostgreSQL as a child of the supervisor. The package stops the server and exits on
// SIGTERM by itself; this process only has to start it, to notice when its parent is gone, and
// to end when the server does.
import { join } from 'node:path';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { startEmbeddedPostgres } from './embedded-postgres.ts';
import { tellParentReady, whenParentGone } from '../lib/parent-process.ts';
import { defaultPort } from './programs.ts';

const config = readConfig({ DATA_DIR: z.string().min(1).default('.data'), EMBEDDED_POSTGRES_PORT: setting.port(defaultPort('EMBEDDED_POSTGRES_PORT')) });
const dataDir = join(config.DATA_DIR, 'postgres');
console.log(`starting the embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT}`);
const server = await startEmbeddedPostgres({
  dataDir,
  port: config.EMBEDDED_POSTGRES_PORT,
  persistent: true,
  // Its routine chatter stays out of the way; trouble is shown. (A service's first connection
  // finds its database missing and creates it: that FATAL is expected.)
  onLog: (line) => {
    if (/ERROR|FATAL|PANIC/.test(line) && !/database ".+" does not exist/.test(line)) console.log(line);
  },
});
console.log(`the embedded PostgreSQL is up on port ${config.EMBEDDED_POSTGRES_PORT}, data in ${server.dataDir}`);
tellParentReady();
// A server that dies on its own (a crash, the OOM killer, a SIGKILL) takes this process with it,
// so the supervisor restarts both; a stop asked for by a signal is the package's to finish.
let stopping = false;
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => (stopping = true));
void server.exited.then(() => {
  if (stopping) return;
  console.log('the PostgreSQL server exited on its own; exiting so that it is restarted');
  process.exit(1);
});
whenParentGone(() => process.kill(process.pid, 'SIGTERM'));
