// How every program reaches Temporal: the address, the namespace and the credentials (TLS, mTLS
// or an API key), read once, by Temporal's own envconfig, from the variables the Temporal CLI and
// every SDK read (TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE, TEMPORAL_API_KEY, TEMPORAL_TLS_*) and from
// a profile of a Temporal config file (TEMPORAL_CONFIG_FILE, TEMPORAL_PROFILE). The same options
// open the client's Connection and the worker's NativeConnection.
//
// envconfig takes what it is given: a certificate path that does not exist surfaces as a
// connection error later, a key without its certificate is dropped in silence, and TEMPORAL_TLS=yes
// turns TLS off. So every value is checked here, and a bad one ends the start naming its variable.
import { existsSync, readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { loadClientConfigProfile, toClientOptions, type ClientConfigProfile, type ConfigDataSource } from '@temporalio/envconfig';
import type { NativeConnectionOptions } from '@temporalio/worker';
import { ConfigError, setting } from '../config.ts';

/** Where the programs look for Temporal when nothing names a server (`npm start` runs its dev server there). */
export const DEFAULT_TEMPORAL_ADDRESS = '127.0.0.1:7233';
const DEFAULT_NAMESPACE = 'default';

/** What both Connection.connect (client) and NativeConnection.connect (worker) take. */
export type TemporalConnectionOptions = Pick<NativeConnectionOptions, 'tls' | 'apiKey' | 'metadata'> & { address: string };

export interface TemporalConnection {
  namespace: string;
  options: TemporalConnectionOptions;
  /** Whether the environment or a profile named the server; if not, the address is DEFAULT_TEMPORAL_ADDRESS. */
  addressGiven: boolean;
}

const BOOLEAN = new Set(['true', 'false', '1', '0']);

/** The TLS material a profile can hold, with the variable (…_PATH or …_DATA) and the TOML key that set it. */
const TLS_MATERIAL = [
  { field: 'clientCert', variable: 'TEMPORAL_TLS_CLIENT_CERT', toml: 'tls.client_cert', kind: 'certificate' },
  { field: 'clientKey', variable: 'TEMPORAL_TLS_CLIENT_KEY', toml: 'tls.client_key', kind: 'private key' },
  { field: 'serverCACert', variable: 'TEMPORAL_TLS_SERVER_CA_CERT', toml: 'tls.server_ca_cert', kind: 'certificate' },
] as const;
type Material = (typeof TLS_MATERIAL)[number];

export function readTemporalConnection(env: NodeJS.ProcessEnv = process.env): TemporalConnection {
  const problems: string[] = [];
  const { TEMPORAL_TLS, TEMPORAL_CONFIG_FILE, TEMPORAL_NAMESPACE } = env;
  if (TEMPORAL_TLS !== undefined && !BOOLEAN.has(TEMPORAL_TLS)) problems.push(`TEMPORAL_TLS: expected true or false, not "${TEMPORAL_TLS}"`);
  // envconfig reads a missing config file as an empty one: a mistyped path would go unnoticed.
  if (TEMPORAL_CONFIG_FILE !== undefined && !existsSync(TEMPORAL_CONFIG_FILE)) problems.push(`TEMPORAL_CONFIG_FILE: no file at ${TEMPORAL_CONFIG_FILE}`);
  if (TEMPORAL_NAMESPACE === '') problems.push('TEMPORAL_NAMESPACE: must not be empty');
  fail(problems);

  let profile: ClientConfigProfile;
  try {
    profile = loadClientConfigProfile({ overrideEnvVars: definedOnly(env) });
  } catch (error) {
    throw new ConfigError(`Invalid Temporal connection configuration:\n  TEMPORAL_CONFIG_FILE / TEMPORAL_PROFILE: ${(error as Error).message}`);
  }

  const where = (variable: string, toml: string) => (variable in env ? variable : `${toml} of the Temporal config file's profile`);
  if (profile.address !== undefined && !setting.hostPort().safeParse(profile.address).success) problems.push(`${where('TEMPORAL_ADDRESS', 'address')}: expected host:port, not "${profile.address}"`);
  if (profile.namespace === '') problems.push(`${where('TEMPORAL_NAMESPACE', 'namespace')}: must not be empty`);

  const tls = profile.tls ?? {};
  const names = new Map<Material['field'], string>();
  const parsed = new Map<Material['field'], X509Certificate | KeyObject>();
  for (const material of TLS_MATERIAL) {
    const source = tls[material.field];
    if (source === undefined) continue;
    const name = 'path' in source ? where(`${material.variable}_PATH`, `${material.toml}_path`) : where(`${material.variable}_DATA`, `${material.toml}_data`);
    names.set(material.field, name);
    const value = parseMaterial(source, material.kind);
    if (typeof value === 'string') problems.push(`${name}: ${value}`);
    else parsed.set(material.field, value);
    if (tls.disabled === true) problems.push(`${name} is set, but TEMPORAL_TLS turns TLS off`);
  }
  // envconfig drops a certificate without its key (or a key without its certificate) in silence.
  const [certName, keyName] = [names.get('clientCert'), names.get('clientKey')];
  if (certName && !keyName) problems.push(`${certName}: the client certificate has no key (TEMPORAL_TLS_CLIENT_KEY_PATH)`);
  if (keyName && !certName) problems.push(`${keyName}: the client key has no certificate (TEMPORAL_TLS_CLIENT_CERT_PATH)`);
  const [certificate, key] = [parsed.get('clientCert'), parsed.get('clientKey')];
  if (certificate instanceof X509Certificate && key && !(key instanceof X509Certificate) && !certificate.checkPrivateKey(key)) {
    problems.push(`${keyName ?? ''}: the private key does not belong to the client certificate`);
  }
  fail(problems);

  const { namespace, connectionOptions } = toClientOptions(profile);
  return {
    namespace: namespace ?? DEFAULT_NAMESPACE,
    options: { ...connectionOptions, address: connectionOptions.address ?? DEFAULT_TEMPORAL_ADDRESS },
    addressGiven: connectionOptions.address !== undefined,
  };
}

function fail(problems: string[]): void {
  if (problems.length) throw new ConfigError(`Invalid Temporal connection configuration:\n${problems.map((problem) => `  ${problem}`).join('\n')}`);
}

/** A certificate or key read and parsed, or what is wrong with it. */
function parseMaterial(source: ConfigDataSource, kind: Material['kind']): X509Certificate | KeyObject | string {
  let bytes: Buffer;
  if ('path' in source) {
    if (!existsSync(source.path)) return `no file at ${source.path}`;
    try {
      bytes = readFileSync(source.path);
    } catch (error) {
      return `cannot read ${source.path} (${(error as NodeJS.ErrnoException).code ?? String(error)})`;
    }
  } else {
    bytes = Buffer.from(source.data);
  }
  try {
    return kind === 'certificate' ? new X509Certificate(bytes) : createPrivateKey(bytes);
  } catch {
    return `not a PEM ${kind}`;
  }
}

/** envconfig's variables, without the ones set to undefined (it reads `in`, not the value). */
function definedOnly(env: NodeJS.ProcessEnv): Record<string, string> {
  return Object.fromEntries(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined));
}
