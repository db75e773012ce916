import { spawn } from 'node:child_process';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../../lib/free-port.ts';
import type { DevSecrets } from '../../supervisor/dev-secrets.ts';

export interface RunningSystem {
  /** The supervisor's process id; its children are the system's programs. */
  pid: number;
  dataDir: string;
  gatewayUrl: string;
  postgresUrl(database: string): string;
  temporalAddress: string;
  ports: Record<string, number>;
  secrets: DevSecrets;
  stop(): Promise<void>;
}

/** The whole system exactly as `npm start` runs it, in a throw-away data folder on free ports. */
export async function startSystem(): Promise<RunningSystem> {
  const dataDir = await mkdtemp(join(tmpdir(), 'shop-bench-'));
  // PostgreSQL runs as its own user when we are root: it must be able to enter the folder.
  await chmod(dataDir, 0o755);
  const ports = {
    GATEWAY_PORT: await freePort(),
    PAYMENTS_PORT: await freePort(),
    ORDERS_PORT: await freePort(),
    EMBEDDED_POSTGRES_PORT: await freePort(),
    TEMPORAL_PORT: await freePort(),
    TEMPORAL_UI_PORT: await freePort(),
    PAYMENTS_WORKER_METRICS_PORT: await freePort(),
    ORDERS_WORKER_METRICS_PORT: await freePort(),
  };
  const supervisor = spawn(process.execPath, [fileURLToPath(new URL('../../supervisor/main.ts', import.meta.url))], {
    env: {
      ...process.env,
      DATA_DIR: dataDir,
      ...Object.fromEntries(Object.entries(ports).map(([name, port]) => [name, String(port)])),
      LOG_LEVEL: 'warn',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const exited = new Promise((resolve) => supervisor.once('exit', resolve));
  const gatewayUrl = `http://127.0.0.1:${ports.GATEWAY_PORT}`;
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (supervisor.exitCode !== null || Date.now() > deadline) {
      supervisor.kill('SIGTERM');
      throw new Error('the system did not start');
    }
    const ready = await fetch(`${gatewayUrl}/readyz`).then((answer) => answer.ok, () => false);
    if (ready) break;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  return {
    pid: supervisor.pid ?? 0,
    dataDir,
    gatewayUrl,
    postgresUrl: (database) => `postgres://postgres:postgres@127.0.0.1:${ports.EMBEDDED_POSTGRES_PORT}/${database}`,
    temporalAddress: `127.0.0.1:${ports.TEMPORAL_PORT}`,
    ports,
    secrets: JSON.parse(await readFile(join(dataDir, 'dev-secrets.json'), 'utf8')) as DevSecrets,
    async stop() {
      supervisor.kill('SIGTERM');
      await exited;
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
