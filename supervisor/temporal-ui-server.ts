// The Temporal Web UI server of the cluster (`npm run start:cluster`), as a child of the
// supervisor: runs it with ops/temporal/ui/cluster.yaml (filled in by the UI server from the
// environment the supervisor gives: the frontend's address, the port, the certificates), says it
// is ready once it answers, and takes it down with it.
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { tellParentReady } from '../lib/parent-process.ts';
import { defaultPort } from './programs.ts';
import { runWrappedServer, untilServing } from './wrapped-server.ts';

const config = readConfig({
  TEMPORAL_UI_SERVER_PATH: z.string().min(1),
  TEMPORAL_UI_PORT: setting.port(defaultPort('TEMPORAL_UI_PORT')),
});
const url = `http://127.0.0.1:${config.TEMPORAL_UI_PORT}`;
runWrappedServer(config.TEMPORAL_UI_SERVER_PATH, ['--root', fileURLToPath(new URL('../ops/temporal', import.meta.url)), '--config', 'ui', '--env', 'cluster', 'start']);
console.log(`starting the Temporal Web UI on ${url}`);
// A list of the namespaces, which the UI server asks the cluster for: it answers only once it reaches the frontend over TLS.
await untilServing(async () => (await fetch(`${url}/api/v1/namespaces`, { signal: AbortSignal.timeout(1_000) })).ok, 300);
tellParentReady();
