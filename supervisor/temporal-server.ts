// One Temporal server process of the cluster (`npm run start:cluster`), as a child of the
// supervisor. Before the server starts, its databases are created and upgraded with Temporal's SQL
// tool, under a PostgreSQL advisory lock so that the cluster's servers never set up at once. It
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
import { NAMESPACE_RETENTION, SEARCH_ATTRIBUTE_SPECS } from '../ops/temporal/server.ts';
import { EMBEDDED_POSTGRES_PASSWORD, EMBEDDED_POSTGRES_USER, embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { defaultPort } from './programs.ts';
import { temporalCertificatesFolder, temporalCertificatesIn } from './temporal-certificates.ts';
import { runWrappedServer, untilServing } from './wrapped-server.ts';

const opsFile = (name: string) => fileURLToPath(new URL(`../ops/temporal/${name}`, import.meta.url));
const CONFIG_FILE = opsFile('cluster.yaml');
/** Any number, the same in every server process: the key of the lock held during a setup step. */
const SETUP_LOCK_KEY = 7_233_001;
const MEMBERSHIP_PORTS = ['TEMPORAL_FRONTEND_MEMBERSHIP_PORT', 'TEMPORAL_HISTORY_MEMBERSHIP_PORT', 'TEMPORAL_MATCHING_MEMBERSHIP_PORT', 'TEMPORAL_WORKER_MEMBERSHIP_PORT'];

const config = readConfig({
  DATA_DIR: z.string().min(1),
  TEMPORAL_SERVER_PATH: z.string().min(1),
  TEMPORAL_SQL_TOOL_PATH: z.string().min(1),
  TEMPORAL_CLI_PATH: z.string().min(1),
  EMBEDDED_POSTGRES_PORT: setting.port(defaultPort('EMBEDDED_POSTGRES_PORT')),
  TEMPORAL_PORT: setting.port(defaultPort('TEMPORAL_PORT')),
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
  // Its system workers warn of every poll its stopping frontend cut, as the dev server's do (see temporal-dev-server.ts).
  quietWhenStopping: /"level":"warn"/,
  env: {
  ...process.env,
  TEMPORAL_DYNAMIC_CONFIG: opsFile('dynamicconfig.yaml'),
  TEMPORAL_DB_ADDRESS: `127.0.0.1:${config.EMBEDDED_POSTGRES_PORT}`,
  TEMPORAL_DB_USER: EMBEDDED_POSTGRES_USER,
  TEMPORAL_DB_PASSWORD: EMBEDDED_POSTGRES_PASSWORD,
  TEMPORAL_TLS_CA: config.TEMPORAL_TLS_SERVER_CA_CERT_PATH,
  TEMPORAL_TLS_SERVER_CERT: certificates.serverCert,
  TEMPORAL_TLS_SERVER_KEY: certificates.serverKey,
  TEMPORAL_TLS_CLIENT_CERT: config.TEMPORAL_TLS_CLIENT_CERT_PATH,
  TEMPORAL_TLS_CLIENT_KEY: config.TEMPORAL_TLS_CLIENT_KEY_PATH,
  },
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

/**
 * Runs a setup step while no other server of the cluster runs one: each step is safe to repeat,
 * but not to run twice at once (two schema upgrades, or two namespace creations, would collide).
 */
async function alone(step: () => Promise<unknown>): Promise<void> {
  const client = new pg.Client({ connectionString: embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, 'postgres') });
  await client.connect();
  try {
    // Held until this connection ends, however this process ends.
    await client.query('SELECT pg_advisory_lock($1)', [SETUP_LOCK_KEY]);
    await step();
  } finally {
    await client.end();
  }
}

/** Creates Temporal's databases if missing and upgrades their schemas (ops/temporal/setup-schema.sh, which compose runs too). */
function upgradeSchemas(): Promise<void> {
  return alone(() =>
    runSetupScript('setup-schema.sh', {
      TEMPORAL_SQL_TOOL: config.TEMPORAL_SQL_TOOL_PATH,
      SQL_PLUGIN: 'postgres12',
      SQL_HOST: '127.0.0.1',
      SQL_PORT: String(config.EMBEDDED_POSTGRES_PORT),
      SQL_USER: EMBEDDED_POSTGRES_USER,
      SQL_PASSWORD: EMBEDDED_POSTGRES_PASSWORD,
    }),
  );
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

/**
 * The namespace and the search attributes the payment workflow sets, with the CLI's operator
 * commands (ops/temporal/setup-namespace.sh, which compose runs too), against this server over
 * mutual TLS: the CLI reads the same standard variables as the programs.
 */
function registerNamespace(): Promise<void> {
  return alone(() =>
    runSetupScript('setup-namespace.sh', {
      TEMPORAL_CLI: config.TEMPORAL_CLI_PATH,
      TEMPORAL_ADDRESS: address,
      NAMESPACE_RETENTION,
      SEARCH_ATTRIBUTES: SEARCH_ATTRIBUTE_SPECS.join(' '),
    }),
  );
}

/** One of ops/temporal's setup scripts, with these settings beside this process's; fails with what it said. */
async function runSetupScript(name: string, settings: NodeJS.ProcessEnv): Promise<void> {
  await run('sh', [opsFile(name)], { env: { ...process.env, ...settings } }).catch((error: unknown) => {
    throw new Error(`ops/temporal/${name} failed: ${whatFailed(error)}`);
  });
}

/** What a failed command said (its stderr), or the error's message. */
function whatFailed(error: unknown): string {
  const { stderr, message } = error as { stderr?: string; message?: string };
  return stderr || message || String(error);
}
