// The Temporal Web UI server of the cluster (`npm run start:cluster`), as a child of the
// supervisor: runs it with ops/temporal/ui/cluster.yaml (filled in by the UI server from the
// environment the supervisor gives: the frontend's address, the port, the certificates), says it
// is ready once it answers, and takes it down with it.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { tellParentReady, whenParentGone } from '../lib/parent-process.ts';
import { defaultPort } from './programs.ts';

const config = readConfig({
  TEMPORAL_UI_SERVER_PATH: z.string().min(1),
  TEMPORAL_UI_PORT: setting.port(defaultPort('TEMPORAL_UI_PORT')),
});
const url = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
const server = spawn(config.TEMPORAL_UI_SERVER_PATH, ['--root', fileURLToPath(new URL('../ops/temporal', import.meta.url)), '--config', 'ui', '--env', 'cluster', 'start'], {
  stdio: ['ignore', 'inherit', 'inherit'],
});
console.log(`starting the Temporal Web UI on ${url}`);
server.once('error', (error) => {
  console.error(`could not run ${config.TEMPORAL_UI_SERVER_PATH}: ${error.message}`);
  process.exit(1);
});
server.once('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
const stop = () => server.kill('SIGTERM');
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
whenParentGone(stop);

for (;;) {
  // A list of the namespaces, which the UI server asks the cluster for: it answers only once it reaches the frontend over TLS.
  const answers = await fetch(`${url}/api/v1/namespaces`, { signal: AbortSignal.timeout(1_000) }).then(
    (response) => response.ok,
    () => false,
  );
  if (answers) break;
  await new Promise((resolve) => setTimeout(resolve, 300));
}
tellParentReady();
