// What `npm start` runs, and with which settings: the programs of the registry, in stages.
import { fileURLToPath } from 'node:url';
import type { ChildSpec } from './child.ts';
import type { SupervisorConfig } from './config.ts';
import { loadDevSecrets } from './dev-secrets.ts';
import { embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { assertPortsFree } from './ports.ts';
import { PORT_SETTINGS, PROGRAMS, type PortSetting, type Program } from './programs.ts';
import { ensureJaeger } from './jaeger.ts';
import { ensureTemporalCli } from './temporal-cli.ts';

/** How long one program may take to say it is ready. */
const READY_TIMEOUT_MS = 60_000;
const STAGES = [0, 1, 2] as const;
/** Loaded before each program's own modules (node --import), so its instrumentations see koa and pg load; it does nothing unless OTEL_* asks for traces. */
const TRACING_MODULE = fileURLToPath(new URL('../lib/telemetry/tracing.ts', import.meta.url));

/** What this start runs itself, and where Temporal is. */
export interface Plan {
  /** The embedded PostgreSQL, unless every database is given. */
  runsPostgres: boolean;
  /** The Temporal dev server, unless TEMPORAL_ADDRESS (or a Temporal config profile) names a server. */
  runsTemporal: boolean;
  /** The trace viewer, when TRACE_VIEWER=true. */
  runsTraceViewer: boolean;
  temporalAddress: string;
  /** The programs it runs: the wrappers of PostgreSQL and Temporal only when it runs them. */
  programs: Program[];
}

export function planFor(config: SupervisorConfig): Plan {
  const runsPostgres = !config.PAYMENTS_DATABASE_URL || !config.ORDERS_DATABASE_URL || !config.GATEWAY_DATABASE_URL;
  const runsTemporal = !config.temporal.addressGiven;
  const runsTraceViewer = config.TRACE_VIEWER;
  const runs: Partial<Record<string, boolean>> = { postgres: runsPostgres, temporal: runsTemporal, 'trace-viewer': runsTraceViewer };
  const programs: Program[] = PROGRAMS.filter((program) => runs[program.name] ?? true);
  return { runsPostgres, runsTemporal, runsTraceViewer, temporalAddress: runsTemporal ? `127.0.0.1:${config.TEMPORAL_PORT}` : config.temporal.options.address, programs };
}

const portOf = (config: SupervisorConfig) => (setting: string) => config[setting as PortSetting];

/** Fails at once, naming each, if a port of a program this start runs is taken. */
export async function checkPortsFree(config: SupervisorConfig, plan: Plan): Promise<void> {
  await assertPortsFree(
    Object.fromEntries(plan.programs.flatMap((program) => Object.keys(program.ports).map((setting) => [`${setting} of ${program.name}`, portOf(config)(setting)]))),
  );
}

export async function temporalCliFor(plan: Plan, say: (line: string) => void): Promise<string | undefined> {
  if (!plan.runsTemporal) return undefined;
  return ensureTemporalCli(say);
}

export async function traceViewerFor(plan: Plan, say: (line: string) => void): Promise<string | undefined> {
  if (!plan.runsTraceViewer) return undefined;
  return ensureJaeger(say);
}

/**
 * The settings every child gets. Each is passed explicitly, never left to a child's own default:
 * every program's ports, the databases, the secrets, and where Temporal is and which namespace
 * (its credentials, TEMPORAL_TLS_* or TEMPORAL_API_KEY, pass on from this process's environment).
 */
export function childEnvironment(config: SupervisorConfig, plan: Plan): NodeJS.ProcessEnv {
  const devSecrets = config.JWT_SECRET && config.INTERNAL_TOKEN ? undefined : loadDevSecrets(config.DATA_DIR);
  const database = (given: string | undefined, name: string) => given ?? embeddedPostgresUrl(config.EMBEDDED_POSTGRES_PORT, name);
  return {
    ...process.env,
    DATA_DIR: config.DATA_DIR,
    ...Object.fromEntries(PORT_SETTINGS.map((setting) => [setting, String(config[setting])])),
    JWT_SECRET: config.JWT_SECRET ?? devSecrets?.JWT_SECRET,
    INTERNAL_TOKEN: config.INTERNAL_TOKEN ?? devSecrets?.INTERNAL_TOKEN,
    PAYMENTS_DATABASE_URL: database(config.PAYMENTS_DATABASE_URL, 'payments'),
    ORDERS_DATABASE_URL: database(config.ORDERS_DATABASE_URL, 'orders'),
    GATEWAY_DATABASE_URL: database(config.GATEWAY_DATABASE_URL, 'gateway'),
    PAYMENTS_URL: `http://127.0.0.1:${config.PAYMENTS_PORT}`,
    ORDERS_URL: `http://127.0.0.1:${config.ORDERS_PORT}`,
    TEMPORAL_ADDRESS: plan.temporalAddress,
    TEMPORAL_NAMESPACE: config.temporal.namespace,
    TEMPORAL_UI_URL: `http://localhost:${config.TEMPORAL_UI_PORT}`,
    // A local run signs in from the storefront without an identity provider.
    DEV_SIGN_IN: 'true',
    // Every program's traces go to the viewer (lib/telemetry/tracing.ts reads it).
    ...(plan.runsTraceViewer ? { OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${config.TRACE_VIEWER_OTLP_PORT}` } : {}),
  };
}

/** The programs in stages: each stage starts together, once the one before is ready; they stop in the reverse order. */
export function stagesOf(config: SupervisorConfig, plan: Plan, env: NodeJS.ProcessEnv, temporalCli: string | undefined, traceViewer?: string): ChildSpec[][] {
  const specOf = (program: Program): ChildSpec => ({
    name: program.name,
    command: process.execPath,
    args: [...('readConfig' in program ? ['--import', TRACING_MODULE] : []), fileURLToPath(new URL(`../${program.entry}`, import.meta.url))],
    env: {
      ...env,
      // Each program is a service of its own in a trace.
      OTEL_SERVICE_NAME: program.name,
      ...(program.metricsPort ? { METRICS_ADDRESS: `127.0.0.1:${portOf(config)(program.metricsPort)}` } : {}),
      ...(program.name === 'temporal' ? { TEMPORAL_CLI_PATH: temporalCli } : {}),
      ...(program.name === 'trace-viewer' ? { TRACE_VIEWER_PATH: traceViewer } : {}),
    },
    readiness: program.readiness(portOf(config), plan.temporalAddress),
    readyTimeoutMs: READY_TIMEOUT_MS,
  });
  return STAGES.map((stage) => plan.programs.filter((program) => program.stage === stage).map(specOf));
}
