// The certificates of the Temporal cluster's mutual TLS, made at its first start and kept in the
// data folder: a CA of its own, the frontends' server certificate (localhost, 127.0.0.1) and one
// client certificate that the programs, the Web UI and the servers' own system worker present.
// @peculiar/x509 resolves its parts through tsyringe, which needs the Reflect metadata API.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import {
  BasicConstraintsExtension,
  ExtendedKeyUsage,
  ExtendedKeyUsageExtension,
  KeyUsageFlags,
  KeyUsagesExtension,
  PemConverter,
  SubjectAlternativeNameExtension,
  X509CertificateGenerator,
} from '@peculiar/x509';

/** The name the server certificate is made for: clients check it (TEMPORAL_TLS_SERVER_NAME). */
export const TEMPORAL_TLS_SERVER_NAME = 'localhost';

export interface TemporalCertificates {
  caCert: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
}

/** Where the cluster's certificates are kept: in the data folder, made on its first start. */
export function temporalCertificatesFolder(dataDir: string): string {
  return join(dataDir, 'temporal-tls');
}

/** The standard variables of Temporal's clients that name the cluster's certificates: how the programs (and a bench or test client) connect. */
export function temporalTlsEnvironment(dataDir: string): NodeJS.ProcessEnv {
  const certificates = temporalCertificatesIn(temporalCertificatesFolder(dataDir));
  return {
    TEMPORAL_TLS_SERVER_CA_CERT_PATH: certificates.caCert,
    TEMPORAL_TLS_CLIENT_CERT_PATH: certificates.clientCert,
    TEMPORAL_TLS_CLIENT_KEY_PATH: certificates.clientKey,
    TEMPORAL_TLS_SERVER_NAME: TEMPORAL_TLS_SERVER_NAME,
  };
}

export function temporalCertificatesIn(folder: string): TemporalCertificates {
  return {
    caCert: join(folder, 'ca.pem'),
    serverCert: join(folder, 'server.pem'),
    serverKey: join(folder, 'server-key.pem'),
    clientCert: join(folder, 'client.pem'),
    clientKey: join(folder, 'client-key.pem'),
  };
}

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const VALID_YEARS = 10;

/**
 * Makes the certificates in `folder` unless they are there. They are made in a folder beside it and
 * renamed into place, so an interrupted first start leaves none half made; of two starts at once,
 * the second keeps the first's.
 */
export async function ensureTemporalCertificates(folder: string): Promise<TemporalCertificates> {
  const files = temporalCertificatesIn(folder);
  if (existsSync(folder)) return files;
  await mkdir(dirname(folder), { recursive: true });
  const staging = await mkdtemp(`${folder}.partial-`);
  try {
    await writeCertificates(temporalCertificatesIn(staging));
    await rename(staging, folder).catch((error: unknown) => {
      const { code } = error as NodeJS.ErrnoException;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST') throw error;
    });
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return files;
}

async function writeCertificates(files: TemporalCertificates): Promise<void> {
  const notBefore = new Date(Date.now() - 60_000);
  const notAfter = new Date(Date.now() + VALID_YEARS * 365 * 24 * 3600_000);
  const caKeys = await newKeys();
  const ca = await X509CertificateGenerator.createSelfSigned({
    name: 'CN=shop-payments Temporal CA',
    keys: caKeys,
    notBefore,
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [new BasicConstraintsExtension(true, 0, true), new KeyUsagesExtension(KeyUsageFlags.keyCertSign | KeyUsageFlags.cRLSign, true)],
  });
  const issue = async (name: string, usages: ExtendedKeyUsage[], altNames: SubjectAlternativeNameExtension[]) => {
    const keys = await newKeys();
    const cert = await X509CertificateGenerator.create({
      subject: `CN=${name}`,
      issuer: ca.subject,
      publicKey: keys.publicKey,
      signingKey: caKeys.privateKey,
      notBefore,
      notAfter,
      signingAlgorithm: SIGNING_ALGORITHM,
      extensions: [new BasicConstraintsExtension(false), new KeyUsagesExtension(KeyUsageFlags.digitalSignature, true), new ExtendedKeyUsageExtension(usages), ...altNames],
    });
    return { cert: cert.toString('pem'), key: PemConverter.encode(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey), 'PRIVATE KEY') };
  };
  const server = await issue(TEMPORAL_TLS_SERVER_NAME, [ExtendedKeyUsage.serverAuth], [
    new SubjectAlternativeNameExtension([
      { type: 'dns', value: TEMPORAL_TLS_SERVER_NAME },
      { type: 'ip', value: '127.0.0.1' },
    ]),
  ]);
  const client = await issue('shop-payments', [ExtendedKeyUsage.clientAuth], []);
  await writeFile(files.caCert, ca.toString('pem'));
  await writeFile(files.serverCert, server.cert);
  await writeFile(files.serverKey, server.key, { mode: 0o600 });
  await writeFile(files.clientCert, client.cert);
  await writeFile(files.clientKey, client.key, { mode: 0o600 });
}

function newKeys(): Promise<webcrypto.CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}
