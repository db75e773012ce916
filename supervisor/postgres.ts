// The embedded PostgreSQL as a child of the supervisor. The package stops the server and exits on
// SIGTERM by itself; this process only has to start it and to notice when its parent is gone.
import { join } from 'node:path';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { startEmbeddedPostgres } from '../lib/database/embedded-postgres.ts';
import { tellParentReady, whenParentGone } from '../lib/parent-process.ts';

const config = readConfig({ DATA_DIR: z.string().min(1).default('.data'), EMBEDDED_POSTGRES_PORT: setting.port(54_320) });
const dataDir = join(config.DATA_DIR, 'postgres');
console.log(`starting the embedded PostgreSQL on port ${config.EMBEDDED_POSTGRES_PORT} (data in ${dataDir})`);
await startEmbeddedPostgres({
  dataDir,
  port: config.EMBEDDED_POSTGRES_PORT,
  persistent: true,
  // Its routine chatter stays out of the way; trouble is shown. (A service's first connection
  // finds its database missing and creates it: that FATAL is expected.)
  onLog: (line) => {
    if (/ERROR|FATAL|PANIC/.test(line) && !/database ".+" does not exist/.test(line)) console.log(line);
  },
});
tellParentReady();
whenParentGone(() => process.kill(process.pid, 'SIGTERM'));
