// One Temporal server process of the cluster (`npm run start:cluster`), as a child of the
// supervisor. Before the server starts, its databases are created and upgraded with Temporal's SQL
// tool, under a PostgreSQL advisory lock so that the cluster's servers never upgrade at once. It
// runs the server with ops/temporal/cluster.yaml (filled in by the server from the environment),
// says it is ready once its frontend answers over mutual TLS with the namespace and the payment
// workflow's search attributes registered, and takes the server down with it.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { Connection } from '@temporalio/client';
import pg from 'pg';
import { z } from 'zod';
import { readConfig, setting } from '../lib/config.ts';
import { tellParentReady } from '../lib/parent-process.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { SEARCH_ATTRIBUTES } from '../workflows/names.ts';
import { EMBEDDED_POSTGRES_PASSWORD, EMBEDDED_POSTGRES_USER, embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { defaultPort } from './programs.ts';
import { temporalCertificatesFolder, temporalCertificatesIn } from './temporal-certificates.ts';
import { runWrappedServer, untilServing } from './wrapped-server.ts';

const CONFIG_FILE = fileURLToPath(new URL('../ops/temporal/cluster.yaml', import.meta.url));
/** Temporal's two databases, and the schema each is upgraded to (the SQL tool carries them). */
const DATABASES = [
  { name: 'temporal', schema: 'postgresql/v12/temporal' },
  { name: 'temporal_visibility', schema: 'postgresql/v12/visibility' },
] as const;
/** Any number, the same in every server process: the key of the lock held while the schemas are upgraded. */
const SCHEMA_LOCK_KEY = 7_233_001;
const REGISTER_TIMEOUT_MS = 60_000;
const MEMBERSHIP_PORTS = ['TEMPORAL_FRONTEND_MEMBERSHIP_PORT', 'TEMPORAL_HISTORY_MEMBERSHIP_PORT', 'TEMPORAL_MATCHING_MEMBERSHIP_PORT', 'TEMPORAL_WORKER_MEMBERSHIP_PORT'];

const config = readConfig({
  DATA_DIR: z.string().min(1),
  TEMPORAL_SERVER_PATH: z.string().min(1),
  TEMPORAL_SQL_TOOL_PATH: z.string().min(1),
  TEMPORAL_CLI_PATH: z.string().min(1),
  EMBEDDED_POSTGRES_PORT: setting.port(defaultPort('EMBEDDED_POSTGRES_PORT')),
  TEMPORAL_PORT: setting.port(defaultPort('TEMPORAL_PORT')),
  TEMPORAL_NAMESPACE: setting.temporalNamespace(),
  // Temporal keeps membership ports in a smallint column: a higher one fails the server's start.
  ...Object.fromEntries(
    MEMBERSHIP_PORTS.map((name) => [name, z.coerce.number().int().min(1).max(32_767, 'must be at most 32767 (Temporal stores membership ports as smallint)')]),
  ),
  TEMPORAL_TLS_SERVER_CA_CERT_PATH: z.string().min(1),
  TEMPORAL_TLS_CLIENT_CERT_PATH: z.string().min(1),
  TEMPORAL_TLS_CLIENT_KEY_PATH: z.string().min(1),
  TEMPORAL_TLS_SERVER_NAME: z.string().min(1),
});
const address = `127.0.0.1:${config.TEMPORAL_PORT}`;
const run = promisify(execFile);

await upgradeSchemas();

const certificates = temporalCertificatesIn(temporalCertificatesFolder(config.DATA_DIR));
// What ops/temporal/cluster.yaml reads; its ports come from the supervisor as this copy's own.
const server = runWrappedServer(config.TEMPORAL_SERVER_PATH, ['--config-file', CONFIG_FILE, '--allow-no-auth', 'start'], {
  ...process.env,
  TEMPORAL_DB: DATABASES[0].name,
  TEMPORAL_VISIBILITY_DB: DATABASES[1].name,
  TEMPORAL_DB_ADDRESS: `127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}`,
  TEMPORAL_DB_USER: EMBEDDED_POSTGRES_USER,
  TEMPORAL_DB_PASSWORD: EMBEDDED_POSTGRES_PASSWORD,
  TEMPORAL_TLS_CA: config.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
  TEMPORAL_TLS_SERVER_CERT: certificates.serverCert,
  TEMPORAL_TLS_SERVER_KEY: certificates.serverKey,
  TEMPORAL_TLS_CLIENT_CERT: config.TEMPORAL_TLS_CLIENT_CERT_PATH,
  TEMPORAL_TLS_CLIENT_KEY: config.TEMPORAL_TLS_CLIENT_KEY_PATH,
});
console.log(`starting a Temporal server of the cluster, frontend on ${address}`);

try {
  await untilFrontendAnswers();
  await registerNamespace();
  tellParentReady();
} catch (error) {
  // The server goes too (its exit ends this process): nothing is left running unsupervised.
  console.error((error as Error).message);
  server.kill('SIGKILL');
}

/** Creates Temporal's databases if missing and upgrades their schemas; each step is a no-op when done. */
async function upgradeSchemas(): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'postgres') });
  await client.connect();
  try {
    // Held until this connection ends, however this process ends.
    await client.query('SELECT pg_advisory_lock($1)', [SCHEMA_LOCK_KEY]);
    for (const database of DATABASES) {
      const env = {
        ...process.env,
        SQL_PLUGIN: 'postgres12',
        SQL_HOST: '127.0.0.1',
        SQL_PORT: String(config.EMBEDDED_POSTGRES_PORT),
        SQL_USER: EMBEDDED_POSTGRES_USER,
        SQL_PASSWORD: EMBEDDED_POSTGRES_PASSWORD,
        SQL_DATABASE: database.name,
      };
      for (const args of [['create-database'], ['setup-schema', '-v', '0.0'], ['update-schema', '--schema-name', database.schema]]) {
        await run(config.TEMPORAL_SQL_TOOL_PATH, ['--quiet', ...args], { env }).catch((error: unknown) => {
          throw new Error(`temporal sql tool ${args[0]} on ${database.name} failed: ${whatFailed(error)}`);
        });
      }
    }
  } finally {
    await client.end();
  }
}

async function untilFrontendAnswers(): Promise<void> {
  await untilServing(async () => {
    const connection = await Connection.connect({ ...readTemporalConnection().options, address, connectTimeout: 1_000 });
    try {
      await connection.workflowService.getSystemInfo({});
      return true;
    } finally {
      await connection.close();
    }
  }, 300);
}

/** The CLI with this server's address and the cluster's client certificate. */
function temporal(...args: string[]) {
  return run(config.TEMPORAL_CLI_PATH, [
    ...args,
    '--address',
    address,
    '--namespace',
    config.TEMPORAL_NAMESPACE,
    '--tls-ca-path',
    config.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
    '--tls-cert-path',
    config.TEMPORAL_TLS_CLIENT_CERT_PATH,
    '--tls-key-path',
    config.TEMPORAL_TLS_CLIENT_KEY_PATH,
    '--tls-server-name',
    config.TEMPORAL_TLS_SERVER_NAME,
  ]);
}

/**
 * The namespace and the search attributes the payment workflow sets, with the CLI's operator
 * commands. A namespace just made takes some seconds to reach every server's cache, and a search
 * attribute cannot be added before it has, so each step is tried again until it holds.
 */
async function registerNamespace(): Promise<void> {
  const deadline = Date.now() + REGISTER_TIMEOUT_MS;
  const until = async (what: string, step: () => Promise<unknown>) => {
    for (;;) {
      const failure = await step().then(() => undefined, whatFailed);
      if (failure === undefined) return;
      if (Date.now() > deadline) throw new Error(`could not ${what}: ${failure}`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
  };
  await until(`create the namespace ${config.TEMPORAL_NAMESPACE}`, async () => {
    if (await temporal('operator', 'namespace', 'describe').then(() => true, () => false)) return;
    await temporal('operator', 'namespace', 'create', '--retention', '72h').catch((error: unknown) => {
      if (!/already exists/i.test(whatFailed(error))) throw error;
    });
  });
  const wanted = Object.values(SEARCH_ATTRIBUTES).map((key) => key.name);
  await until('register the search attributes', async () => {
    const { stdout } = await temporal('operator', 'search-attribute', 'list', '--output', 'json');
    const known = new Set(Object.keys((JSON.parse(stdout) as { customAttributes?: Record<string, string> }).customAttributes ?? {}));
    const missing = wanted.filter((name) => !known.has(name));
    if (missing.length === 0) return;
    await temporal('operator', 'search-attribute', 'create', ...missing.flatMap((name) => ['--name', name, '--type', 'Keyword']));
    throw new Error(`registered ${missing.join(', ')}; checking again`);
  });
}

/** What a failed command said (its stderr), or the error's message. */
function whatFailed(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return stderr || message || String(error);
}
