// The programs of the system, once: what `npm start` runs, what the harness gives free ports to,
// what the chaos run kills and the bench measures, and what docker-compose.yml must agree with.
import { DEFAULT_GATEWAY_PORT, readGatewayConfig } from '../services/gateway/config.ts';
import { DEFAULT_ORDERS_PORT, readOrdersConfig } from '../services/orders/config.ts';
import { DEFAULT_PAYMENTS_PORT, readPaymentsConfig } from '../services/payments/config.ts';
import { readOrdersWorkerConfig, readOutboxRelayConfig, readPaymentsWorkerConfig } from '../workers/config.ts';

export interface Program {
  /** Its name in the supervisor's log lines, and its service in docker-compose.yml. */
  name: string;
  /** Its entry point, from the repository's root. */
  entry: string;
  /** Its configuration reader; none for the supervisor's own wrappers of PostgreSQL and Temporal, which are not in the image. */
  readConfig?: (env: NodeJS.ProcessEnv) => unknown;
  /** `npm start` starts the stages in order, each once the one before is ready. */
  stage: 0 | 1 | 2;
  /** Every port it listens on: the setting that names it, and its default under `npm start`. */
  ports: Record<string, number>;
  /** Which of its ports serves its Prometheus metrics (it gets it as METRICS_ADDRESS, on loopback). */
  metricsPort?: string;
  /** Database connections it holds beside its pool: a LISTEN, and the one that holds the migration lock while it starts. */
  connectionsBesidePool?: number;
  /** What the supervisor waits for before it counts it ready, for its log: given the port of each setting and Temporal's address. */
  readiness: (portOf: (setting: string) => number, temporalAddress: string) => string;
  /** Run by `npm start` only ('single') or by `npm run start:cluster` only ('cluster'); by both if not said. */
  mode?: 'single' | 'cluster';
  /** How many copies `npm run start:cluster` runs, each on ports of its own (see replicaPortSetting). */
  clusterReplicas?: number;
  /** One of the saga's workers (the two Temporal workers and the outbox relay), whose copies CLUSTER_WORKER_REPLICAS can cut to one. */
  worker?: true;
}

/** Every program of the system's own code, and the Temporal server, runs twice in the cluster mode. */
export const CLUSTER_REPLICAS = 2;
/** The ports of the copy after the first are the first's plus this (8000, 8100); see replicaPortSetting. */
const REPLICA_PORT_OFFSET = 100;

const saysReady = (setting: string) => (portOf: (setting: string) => number) => `port ${portOf(setting)} says it is ready`;
const connectsToTemporal = (_: unknown, temporalAddress: string) => `Temporal at ${temporalAddress}, says it is ready`;

/**
 * In the order they start: PostgreSQL, Temporal (and the trace viewer, when asked for); then the services, which migrate their
 * databases; then the workers that share those databases, the relay and the gateway. They stop
 * in the reverse order.
 */
export const PROGRAMS = [
  {
    name: 'postgres',
    entry: 'supervisor/postgres.ts',
    stage: 0,
    ports: { EMBEDDED_POSTGRES_PORT: 54_320 },
    readiness: (portOf) => `PostgreSQL on port ${portOf('EMBEDDED_POSTGRES_PORT')}`,
  },
  {
    name: 'temporal',
    entry: 'supervisor/temporal-dev-server.ts',
    stage: 0,
    ports: { TEMPORAL_PORT: 7233, TEMPORAL_UI_PORT: 8233 },
    readiness: (_, temporalAddress) => `the dev server to answer on ${temporalAddress}`,
    mode: 'single',
  },
  {
    // One process of the cluster runs every service (frontend, history, matching, worker), each
    // on its ports; the copies find each other through the database. Its default ports are Temporal's own.
    name: 'temporal-server',
    entry: 'supervisor/temporal-server.ts',
    stage: 1,
    ports: {
      TEMPORAL_PORT: 7233,
      TEMPORAL_HTTP_PORT: 7243,
      TEMPORAL_FRONTEND_MEMBERSHIP_PORT: 6933,
      TEMPORAL_HISTORY_PORT: 7234,
      TEMPORAL_HISTORY_MEMBERSHIP_PORT: 6934,
      TEMPORAL_MATCHING_PORT: 7235,
      TEMPORAL_MATCHING_MEMBERSHIP_PORT: 6935,
      TEMPORAL_WORKER_PORT: 7239,
      TEMPORAL_WORKER_MEMBERSHIP_PORT: 6939,
    },
    readiness: (portOf) => `its frontend to answer on 127.0.0.1:${portOf('TEMPORAL_PORT')} over mutual TLS, with the namespace and search attributes registered`,
    mode: 'cluster',
    clusterReplicas: CLUSTER_REPLICAS,
  },
  {
    // Only when TRACE_VIEWER=true: the programs then export their traces to it.
    name: 'trace-viewer',
    entry: 'supervisor/trace-viewer.ts',
    stage: 0,
    ports: { TRACE_VIEWER_PORT: 16_686, TRACE_VIEWER_OTLP_PORT: 4318 },
    readiness: (portOf) => `Jaeger's API on port ${portOf('TRACE_VIEWER_PORT')}`,
  },
  {
    name: 'payments',
    entry: 'services/payments/main.ts',
    readConfig: readPaymentsConfig,
    stage: 1,
    ports: { PAYMENTS_PORT: DEFAULT_PAYMENTS_PORT, PAYMENTS_METRICS_PORT: 9461 },
    metricsPort: 'PAYMENTS_METRICS_PORT',
    connectionsBesidePool: 1,
    readiness: saysReady('PAYMENTS_PORT'),
    clusterReplicas: CLUSTER_REPLICAS,
  },
  {
    name: 'orders',
    entry: 'services/orders/main.ts',
    readConfig: readOrdersConfig,
    stage: 1,
    ports: { ORDERS_PORT: DEFAULT_ORDERS_PORT, ORDERS_METRICS_PORT: 9462 },
    metricsPort: 'ORDERS_METRICS_PORT',
    connectionsBesidePool: 2,
    readiness: saysReady('ORDERS_PORT'),
    clusterReplicas: CLUSTER_REPLICAS,
  },
  {
    name: 'payments-worker',
    entry: 'workers/payments-worker.ts',
    readConfig: readPaymentsWorkerConfig,
    stage: 2,
    ports: { PAYMENTS_WORKER_METRICS_PORT: 9464 },
    metricsPort: 'PAYMENTS_WORKER_METRICS_PORT',
    connectionsBesidePool: 1,
    readiness: connectsToTemporal,
    clusterReplicas: CLUSTER_REPLICAS,
    worker: true,
  },
  {
    name: 'orders-worker',
    entry: 'workers/orders-worker.ts',
    readConfig: readOrdersWorkerConfig,
    stage: 2,
    ports: { ORDERS_WORKER_METRICS_PORT: 9465 },
    metricsPort: 'ORDERS_WORKER_METRICS_PORT',
    connectionsBesidePool: 1,
    readiness: connectsToTemporal,
    clusterReplicas: CLUSTER_REPLICAS,
    worker: true,
  },
  {
    name: 'outbox-relay',
    entry: 'workers/outbox-relay.ts',
    readConfig: readOutboxRelayConfig,
    stage: 2,
    ports: { OUTBOX_RELAY_METRICS_PORT: 9466 },
    metricsPort: 'OUTBOX_RELAY_METRICS_PORT',
    connectionsBesidePool: 2,
    readiness: connectsToTemporal,
    clusterReplicas: CLUSTER_REPLICAS,
    worker: true,
  },
  {
    name: 'gateway',
    entry: 'services/gateway/main.ts',
    readConfig: readGatewayConfig,
    stage: 2,
    ports: { GATEWAY_PORT: DEFAULT_GATEWAY_PORT, GATEWAY_METRICS_PORT: 9460 },
    metricsPort: 'GATEWAY_METRICS_PORT',
    connectionsBesidePool: 1,
    readiness: saysReady('GATEWAY_PORT'),
    clusterReplicas: CLUSTER_REPLICAS,
  },
  {
    name: 'temporal-ui',
    entry: 'supervisor/temporal-ui-server.ts',
    stage: 2,
    ports: { TEMPORAL_UI_PORT: 8233 },
    readiness: (portOf) => `the Temporal Web UI to answer on 127.0.0.1:${portOf('TEMPORAL_UI_PORT')}`,
    mode: 'cluster',
  },
] as const satisfies readonly Program[];

export type ProgramName = (typeof PROGRAMS)[number]['name'];
/** Every port setting of every program's first copy. */
type FirstCopyPortSetting = (typeof PROGRAMS)[number] extends infer P ? (P extends { ports: infer Ports } ? keyof Ports & string : never) : never;
/** Every port setting: the second copy's carry its number (GATEWAY_PORT_2; CLUSTER_REPLICAS is 2). */
export type PortSetting = FirstCopyPortSetting | `${FirstCopyPortSetting}_2`;

/** How many copies of the program a start runs: in the cluster, a worker's as many as `workerReplicas` says, if it says. */
export function replicasOf(program: Program, cluster: boolean, workerReplicas?: number): number {
  if (!cluster) return 1;
  return program.worker && workerReplicas !== undefined ? workerReplicas : (program.clusterReplicas ?? 1);
}

/** The setting that names a port of the program's copy `replica` (from 1): the first copy's own, a later one's with its number. */
export function replicaPortSetting(setting: string, replica: number): PortSetting {
  return (replica === 1 ? setting : `${setting}_${replica}`) as PortSetting;
}

/** Every port setting of every copy of every program, once each. */
export const PORT_SETTINGS: PortSetting[] = [
  ...new Set(
    PROGRAMS.flatMap((program: Program) =>
      Array.from({ length: program.clusterReplicas ?? 1 }, (_, index) => Object.keys(program.ports).map((setting) => replicaPortSetting(setting, index + 1))).flat(),
    ),
  ),
];

/** The programs that run in the image (docker-compose.yml), not only under `npm start`. */
export const APP_PROGRAMS: readonly Program[] = PROGRAMS.filter((program) => 'readConfig' in program);

export function programNamed(name: ProgramName): Program {
  const program = PROGRAMS.find((candidate) => candidate.name === name);
  if (!program) throw new Error(`no program ${name}`);
  return program;
}

/** The default of a port setting under `npm start` (a later copy's: the first's plus REPLICA_PORT_OFFSET for each copy before it). */
export function defaultPort(setting: PortSetting): number {
  const [, firstCopySetting = setting, replica = '1'] = /^(.+?)_(\d+)$/.exec(setting) ?? [];
  for (const program of PROGRAMS) {
    const ports: Record<string, number> = program.ports;
    const port = ports[firstCopySetting];
    if (port !== undefined) return port + REPLICA_PORT_OFFSET * (Number(replica) - 1);
  }
  throw new Error(`no port setting ${setting}`);
}
