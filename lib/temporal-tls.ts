// TLS towards Temporal from the standard variables of Temporal's clients (the names that
// @temporalio/envconfig and the CLI read): none set means a plain connection, as to the dev server.
import { readFileSync } from 'node:fs';
import type { TLSConfig } from '@temporalio/client';

export function temporalTlsFromEnv(env: NodeJS.ProcessEnv = process.env): TLSConfig | undefined {
  const { TEMPORAL_TLS_SERVER_CA_CERT_PATH: ca, TEMPORAL_TLS_CLIENT_CERT_PATH: cert, TEMPORAL_TLS_CLIENT_KEY_PATH: key, TEMPORAL_TLS_SERVER_NAME: serverName } = env;
  if (!ca && !cert && !key) return undefined;
  if (!cert !== !key) throw new Error('TEMPORAL_TLS_CLIENT_CERT_PATH and TEMPORAL_TLS_CLIENT_KEY_PATH go together: set both or neither');
  return {
    ...(serverName ? { serverNameOverride: serverName } : {}),
    ...(ca ? { serverRootCACertificate: readFileSync(ca) } : {}),
    ...(cert && key ? { clientCertPair: { crt: readFileSync(cert), key: readFileSync(key) } } : {}),
  };
}
