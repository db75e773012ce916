import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '../lib/config.ts';
import { readTemporalConnection } from '../lib/temporal/connection-config.ts';
import { ensureTemporalCertificates, type TemporalCertificates } from '../supervisor/temporal-certificates.ts';

// How every program reaches Temporal, read from the environment with real certificate files; a bad
// value ends the start with a message that names its variable.

let folder: string;
let certs: TemporalCertificates;
beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'temporal-connection-'));
  certs = await ensureTemporalCertificates(join(folder, 'certs'));
});
afterAll(() => rm(folder, { recursive: true, force: true }));

/** An environment with no Temporal config file of the machine's in it. */
const read = (env: NodeJS.ProcessEnv) => readTemporalConnection({ HOME: folder, XDG_CONFIG_HOME: folder, ...env });
const problemOf = (env: NodeJS.ProcessEnv): string => {
  try {
    read(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error('the configuration was accepted');
};

test('nothing set: the local server, namespace default, no TLS', () => {
  expect(read({})).toEqual({ namespace: 'default', options: { address: '127.0.0.1:7233' }, addressGiven: false });
});

test('an IPv6 address in brackets is an address', () => {
  expect(read({ TEMPORAL_ADDRESS: '[::1]:7233' }).options.address).toBe('[::1]:7233');
});

test('Temporal Cloud with an API key: its address and namespace, TLS on', () => {
  const cloud = read({ TEMPORAL_ADDRESS: 'shop.a1b2c.tmprl.cloud:7233', TEMPORAL_NAMESPACE: 'shop.a1b2c', TEMPORAL_API_KEY: 'key-123' });
  expect(cloud).toEqual({ namespace: 'shop.a1b2c', options: { address: 'shop.a1b2c.tmprl.cloud:7233', apiKey: 'key-123', tls: true }, addressGiven: true });
});

test('mTLS: the CA, the client certificate and key are read from their files, with the server name', () => {
  const { options } = read({
    TEMPORAL_ADDRESS: '127.0.0.1:7233',
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certs.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certs.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
    TEMPORAL_TLS_SERVER_NAME: 'localhost',
  });
  expect(options.tls).toEqual({
    serverNameOverride: 'localhost',
    serverRootCACertificate: Uint8Array.from(readFileSync(certs.caCert)),
    clientCertPair: { crt: Uint8Array.from(readFileSync(certs.clientCert)), key: Uint8Array.from(readFileSync(certs.clientKey)) },
  });
});

test('TEMPORAL_TLS=false turns TLS off; TEMPORAL_TLS=true turns it on with the system roots', () => {
  expect(read({ TEMPORAL_API_KEY: 'k', TEMPORAL_TLS: 'false' }).options.tls).toBe(false);
  expect(read({ TEMPORAL_TLS: 'true' }).options.tls).toEqual({});
});

test('a profile of a Temporal config file, chosen by TEMPORAL_PROFILE; a variable beats the file', () => {
  const file = join(folder, 'temporal.toml');
  writeFileSync(
    file,
    `[profile.prod]\naddress = "temporal.internal:7233"\nnamespace = "shop"\n[profile.prod.tls]\nclient_cert_path = "${certs.clientCert}"\nclient_key_path = "${certs.clientKey}"\n`,
  );
  const prod = read({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod' });
  expect(prod).toMatchObject({ namespace: 'shop', options: { address: 'temporal.internal:7233' }, addressGiven: true });
  expect(prod.options.tls).toMatchObject({ clientCertPair: { crt: Uint8Array.from(readFileSync(certs.clientCert)) } });
  expect(read({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'prod', TEMPORAL_NAMESPACE: 'other' }).namespace).toBe('other');
  expect(problemOf({ TEMPORAL_CONFIG_FILE: file, TEMPORAL_PROFILE: 'staging' })).toMatch(/TEMPORAL_PROFILE: Profile 'staging' not found/);
});

test.each([
  ['a certificate path that does not exist', { TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem', TEMPORAL_TLS_CLIENT_KEY_PATH: 'KEY' }, /TEMPORAL_TLS_CLIENT_CERT_PATH: no file at \/nonexistent\/client\.pem/],
  ['a CA path that does not exist', { TEMPORAL_TLS_SERVER_CA_CERT_PATH: '/nonexistent/ca.pem' }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH: no file at \/nonexistent\/ca\.pem/],
  ['a key without its certificate', { TEMPORAL_TLS_CLIENT_KEY_PATH: 'KEY' }, /TEMPORAL_TLS_CLIENT_KEY_PATH: the client key has no certificate/],
  ['a certificate without its key', { TEMPORAL_TLS_CLIENT_CERT_PATH: 'CERT' }, /TEMPORAL_TLS_CLIENT_CERT_PATH: the client certificate has no key/],
  ['a key of another certificate', { TEMPORAL_TLS_CLIENT_CERT_PATH: 'CERT', TEMPORAL_TLS_CLIENT_KEY_PATH: 'SERVER_KEY' }, /TEMPORAL_TLS_CLIENT_KEY_PATH: the private key does not belong/],
  ['a key where the CA certificate belongs', { TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'KEY' }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH: not a PEM certificate/],
  ['certificate data that is no certificate', { TEMPORAL_TLS_CLIENT_CERT_DATA: 'garbage', TEMPORAL_TLS_CLIENT_KEY_PATH: 'KEY' }, /TEMPORAL_TLS_CLIENT_CERT_DATA: not a PEM certificate/],
  ['certificates with TLS turned off', { TEMPORAL_TLS: 'false', TEMPORAL_TLS_SERVER_CA_CERT_PATH: 'CA' }, /TEMPORAL_TLS_SERVER_CA_CERT_PATH is set, but TEMPORAL_TLS turns TLS off/],
  ['TEMPORAL_TLS neither true nor false', { TEMPORAL_TLS: 'yes' }, /TEMPORAL_TLS: expected true or false, not "yes"/],
  ['an address without a port', { TEMPORAL_ADDRESS: 'temporal.internal' }, /TEMPORAL_ADDRESS: expected host:port, not "temporal\.internal"/],
  ['an empty namespace', { TEMPORAL_NAMESPACE: '' }, /TEMPORAL_NAMESPACE: must not be empty/],
  ['a config file that does not exist', { TEMPORAL_CONFIG_FILE: '/nonexistent/temporal.toml' }, /TEMPORAL_CONFIG_FILE: no file at \/nonexistent\/temporal\.toml/],
])('%s fails, naming the variable', (_, env: Record<string, string>, message) => {
  const files: Record<string, string> = { CERT: certs.clientCert, KEY: certs.clientKey, SERVER_KEY: certs.serverKey, CA: certs.caCert };
  const withFiles = Object.fromEntries(Object.entries(env).map(([name, value]) => [name, files[value] ?? value]));
  expect(problemOf(withFiles)).toMatch(message);
});

test('a worker given a certificate path that does not exist ends at start with the message alone, no stack', async () => {
  const worker = new URL('../workers/orders-worker.ts', import.meta.url).pathname;
  const env = {
    PATH: process.env.PATH,
    HOME: folder,
    ORDERS_DATABASE_URL: 'postgres://nobody@127.0.0.1:1/orders',
    TEMPORAL_TLS_CLIENT_CERT_PATH: '/nonexistent/client.pem',
    TEMPORAL_TLS_CLIENT_KEY_PATH: certs.clientKey,
  };
  const failure = await promisify(execFile)(process.execPath, [worker], { env }).then(
    () => ({ code: 0, stderr: '' }),
    (error: unknown) => error as { code: number; stderr: string },
  );
  expect(failure.code).toBe(1);
  expect(failure.stderr).toBe('Invalid Temporal connection configuration:\n  TEMPORAL_TLS_CLIENT_CERT_PATH: no file at /nonexistent/client.pem\n');
});
