import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:tls';
import type { TemporalCertificates } from '../../supervisor/temporal-certificates.ts';

export interface MtlsProxy {
  /** host:port to give TEMPORAL_ADDRESS. */
  address: string;
  /** Connections whose client certificate the CA signed, passed on. */
  accepted(): number;
  /** Connections refused during the handshake (no certificate, or one of another CA). */
  refused(): number;
  close(): Promise<void>;
}

/**
 * A TLS front that requires client certificates (mTLS) before a Temporal dev server, which serves
 * no TLS itself: a connection whose certificate its CA signed is passed on byte for byte (gRPC's
 * HTTP/2, agreed by ALPN), any other is refused during the handshake.
 */
export async function startMtlsProxy(target: string, certs: TemporalCertificates): Promise<MtlsProxy> {
  const [host = '', port = ''] = target.split(':');
  let accepted = 0;
  let refused = 0;
  const server = createServer(
    {
      key: readFileSync(certs.serverKey),
      cert: readFileSync(certs.serverCert),
      ca: readFileSync(certs.caCert),
      requestCert: true,
      rejectUnauthorized: true,
      ALPNProtocols: ['h2'],
    },
    (client) => {
      accepted += 1;
      const server = connect(Number(port), host);
      client.pipe(server).pipe(client);
      client.on('error', () => server.destroy());
      server.on('error', () => client.destroy());
    },
  );
  server.on('tlsClientError', () => (refused += 1));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    address: `127.0.0.1:${(server.address() as { port: number }).port}`,
    accepted: () => accepted,
    refused: () => refused,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
