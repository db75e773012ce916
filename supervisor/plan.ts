// What `npm start` (and `npm run start:cluster`) runs, and with which settings: the programs of the
// registry, in stages, each once or, in the cluster mode, in as many copies as it says.
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from './child.ts';
import type { SupervisorConfig } from './config.ts';
import { loadDevSecrets } from './dev-secrets.ts';
import { embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { assertPortsFree } from './ports.ts';
import { PORT_SETTINGS, PROGRAMS, replicaPortSetting, replicasOf, type Program } from './programs.ts';
import { temporalTlsEnvironment } from './temporal-certificates.ts';
import { ensureTemporalCli } from './temporal-cli.ts';
import { ensureTemporalClusterTools, type TemporalClusterTools } from './temporal-cluster-tools.ts';
import { ensureJaeger } from './jaeger.ts';

/** How long one program may take to say it is ready. */
const READY_TIMEOUT_MS = 60_000;
const STAGES = [0, 1, 2] as const;
/** Loaded before each program's own modules (node --import), so its instrumentations see koa and pg load; it does nothing unless OTEL_* asks for traces. */
const TRACING_MODULE = fileURLToPath(new URL('../lib/telemetry/tracing.ts', import.meta.url));

/** What this start runs itself, and where Temporal is. */
export interface Plan {
  /** `npm run start:cluster`: a Temporal cluster of two servers on PostgreSQL, and two copies of every program. */
  cluster: boolean;
  /** The embedded PostgreSQL, unless every database is given (the cluster mode always runs it: Temporal's databases are there). */
  runsPostgres: boolean;
  /** Temporal (the dev server, or the cluster), unless TEMPORAL_ADDRESS (or a Temporal config profile) names a server. */
  runsTemporal: boolean;
  /** The trace viewer, when TRACE_VIEWER=true. */
  runsTraceViewer: boolean;
  temporalAddress: string;
  /** The programs it runs: the wrappers of PostgreSQL and Temporal only when it runs them. */
  programs: Program[];
  /** How many copies of each worker the cluster runs (CLUSTER_WORKER_REPLICAS). */
  workerReplicas: number;
}

/** The Go programs the start runs: the CLI for the dev server or the cluster's operator commands, the cluster's own, and the trace viewer. */
export interface Tools {
  temporalCli?: string;
  cluster?: TemporalClusterTools;
  traceViewer?: string;
}

export function planFor(config: SupervisorConfig, cluster = false): Plan {
  const runsPostgres = cluster || !config.PAYMENTS_DATABASE_URL || !config.ORDERS_DATABASE_URL || !config.GATEWAY_DATABASE_URL;
  const runsTemporal = cluster || !config.temporal.addressGiven;
  const mode = cluster ? 'cluster' : 'single';
  const runsTraceViewer = config.TRACE_VIEWER;
  const runs = (program: Program) =>
    program.name === 'postgres' ? runsPostgres : program.name === 'trace-viewer' ? runsTraceViewer : program.name.startsWith('temporal') ? runsTemporal : true;
  const programs: Program[] = PROGRAMS.filter((program: Program) => (program.mode === undefined || program.mode === mode) && runs(program));
  const temporalAddress = runsTemporal ? `127.0.0.1:${config.TEMPORAL_PORT}` : config.temporal.options.address;
  return { cluster, runsPostgres, runsTemporal, runsTraceViewer, temporalAddress, programs, workerReplicas: config.CLUSTER_WORKER_REPLICAS };
}

const portOf = (config: SupervisorConfig, replica = 1) => (setting: string) => config[replicaPortSetting(setting, replica)];

/** The copies of a program this start runs: its name in the log, and its number (from 1). */
function copiesOf(program: Program, plan: Plan): { name: string; replica: number }[] {
  const count = replicasOf(program, plan.cluster, plan.workerReplicas);
  return Array.from({ length: count }, (_, index) => ({ name: count > 1 ? `${program.name}-${index + 1}` : program.name, replica: index + 1 }));
}

/** The addresses of the copies of the program whose port setting is `setting`: `127.0.0.1:<port>`, one per copy. */
function addressesOf(config: SupervisorConfig, plan: Plan, programName: string, setting: string): string[] {
  const program = plan.programs.find((candidate) => candidate.name === programName);
  if (!program) return [];
  return copiesOf(program, plan).map(({ replica }) => `127.0.0.1:${portOf(config, replica)(setting)}`);
}

/** Fails at once, naming each, if a port of a program this start runs is taken. */
export async function checkPortsFree(config: SupervisorConfig, plan: Plan): Promise<void> {
  await assertPortsFree(
    Object.fromEntries(
      plan.programs.flatMap((program) =>
        copiesOf(program, plan).flatMap(({ name, replica }) => Object.keys(program.ports).map((setting) => [`${setting} of ${name}`, portOf(config, replica)(setting)])),
      ),
    ),
  );
}

/** Finds or makes the Go programs the plan needs (a first cluster start builds them: minutes). */
export async function toolsFor(plan: Plan, say: (line: string) => void): Promise<Tools> {
  return {
    ...(plan.runsTemporal ? { temporalCli: await ensureTemporalCli(say) } : {}),
    ...(plan.runsTemporal && plan.cluster ? { cluster: await ensureTemporalClusterTools(say) } : {}),
    ...(plan.runsTraceViewer ? { traceViewer: await ensureJaeger(say) } : {}),
  };
}

/**
 * The settings every child gets. Each is passed explicitly, never left to a child's own default:
 * every program's ports, the databases, the secrets, and where Temporal is and which namespace
 * (its credentials, TEMPORAL_TLS_* or TEMPORAL_API_KEY, pass on from this process's environment).
 */
export function childEnvironment(config: SupervisorConfig, plan: Plan): NodeJS.ProcessEnv {
  const devSecrets = config.JWT_SECRET && config.INTERNAL_TOKEN ? undefined : loadDevSecrets(config.DATA_DIR);
  const database = (given: string | undefined, name: string) => given ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, name);
  const urls = (programName: string, setting: string) => addressesOf(config, plan, programName, setting).map((address) => `http://${address}`).join(',');
  return {
    ...process.env,
    DATA_DIR: config.DATA_DIR,
    ...Object.fromEntries(PORT_SETTINGS.map((setting) => [setting, String(config[setting])])),
    JWT_SECRET: config.JWT_SECRET ?? devSecrets?.JWT_SECRET,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? devSecrets?.INTERNAL_TOKEN,
    PAYMENTS_DATABASE_URL: database(config.PAYMENTS_DATABASE_URL, 'payments'),
    ORDERS_DATABASE_URL: database(config.ORDERS_DATABASE_URL, 'orders'),
    GATEWAY_DATABASE_URL: database(config.GATEWAY_DATABASE_URL, 'gateway'),
    // Every copy of each service, so that the gateway spreads its requests over them.
    PAYMENTS_URL: urls('payments', 'PAYMENTS_PORT'),
    ORDERS_URL: urls('orders', 'ORDERS_PORT'),
    TEMPORAL_ADDRESS: plan.temporalAddress,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_UI_URL: `http://localhost:${config.TEMPORAL_UI_PORT}`,
    // The cluster's frontends require mutual TLS.
    ...(plan.cluster ? temporalTlsEnvironment(config.DATA_DIR) : {}),
    // Two copies of each program share PostgreSQL's connections with the two Temporal servers:
    // each copy gets half the pool `npm start` gives the one.
    ...(plan.cluster ? { DATABASE_POOL_SIZE: process.env.DATABASE_POOL_SIZE ?? '5' } : {}),
    // A local run signs in from the storefront without an identity provider.
    DEV_SIGN_IN: 'true',
    // Every program's traces go to the viewer (lib/telemetry/tracing.ts reads it).
    ...(plan.runsTraceViewer ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${config.TRACE_VIEWER_OTLP_PORT}` } : {}),
  };
}

/** The programs in stages: each stage starts together, once the one before is ready; they stop in the reverse order. */
export function stagesOf(config: SupervisorConfig, plan: Plan, env: NodeJS.ProcessEnv, tools: Tools): ChildSpec[][] {
  const temporalServers = addressesOf(config, plan, 'temporal-server', 'TEMPORAL_PORT');
  const specOf = (program: Program, { name, replica }: { name: string; replica: number }): ChildSpec => {
    const ports = portOf(config, replica);
    // In the cluster, the copies of a program connect to the servers in turn, so one server's death stops only some of them.
    const temporalAddress = temporalServers.length > 0 ? (temporalServers[(replica - 1) % temporalServers.length] ?? plan.temporalAddress) : plan.temporalAddress;
    return {
      name,
      command: process.execPath,
      args: [...('readConfig' in program ? ['--import', TRACING_MODULE] : []), fileURLToPath(new URL(`../${program.entry}`, import.meta.url))],
      env: {
        ...env,
        // Each program is a service of its own in a trace (its copies are instances of it).
        OTEL_SERVICE_NAME: program.name,
        ...Object.fromEntries(Object.keys(program.ports).map((setting) => [setting, String(ports(setting))])),
        ...(program.metricsPort ? { METRICS_ADDRESS: `127.0.0.1:${ports(program.metricsPort)}` } : {}),
        ...(program.name.startsWith('temporal') ? toolEnvironment(tools) : {}),
        ...(program.name === 'trace-viewer' ? { TRACE_VIEWER_PATH: tools.traceViewer } : {}),
        TEMPORAL_ADDRESS: program.name === 'temporal-ui' ? (temporalServers[0] ?? plan.temporalAddress) : temporalAddress,
      },
      readiness: program.readiness(ports, temporalAddress),
      readyTimeoutMs: READY_TIMEOUT_MS,
    };
  };
  return STAGES.map((stage) => plan.programs.filter((program) => program.stage === stage).flatMap((program) => copiesOf(program, plan).map((copy) => specOf(program, copy))));
}

function toolEnvironment(tools: Tools): NodeJS.ProcessEnv {
  return {
    TEMPORAL_CLI_PATH: tools.temporalCli,
    TEMPORAL_SERVER_PATH: tools.cluster?.server,
    TEMPORAL_SQL_TOOL_PATH: tools.cluster?.sqlTool,
    TEMPORAL_UI_SERVER_PATH: tools.cluster?.uiServer,
  };
}

