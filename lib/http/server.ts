import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';
import type Koa from 'koa';
import { HttpProblem, writeProblemToSocket } from './problem.ts';
import { refuseConnect } from './request-target.ts';

export interface RunningServer {
  server: Server;
  /** The base URL the server answers on, such as http://127.0.0.1:8001. */
  url: string;
  close(): Promise<void>;
}

const CLOSE_GRACE_MS = 10_000;

export interface ClientTimeouts {
  /** The longest a client may take to send its request headers. */
  headersTimeoutMs: number;
  /** The longest a client may take to send its whole request. */
  requestTimeoutMs: number;
}

/** Serves a Koa app; slow clients are cut off instead of holding a connection forever. */
export async function serve(
  app: Koa,
  host: string,
  port: number,
  timeouts: ClientTimeouts = { headersTimeoutMs: 10_000, requestTimeoutMs: 30_000 },
): Promise<RunningServer> {
  const handle = app.callback();
  const server = createServer(
    {
      headersTimeout: timeouts.headersTimeoutMs,
      requestTimeout: timeouts.requestTimeoutMs,
      // How often Node looks for clients past those limits.
      connectionsCheckingInterval: Math.min(timeouts.headersTimeoutMs, 1_000),
      // Node's own answer to a missing Host is a bare 400; originFormOnly() answers it as a problem.
      requireHostHeader: false,
    },
    (req, res) => void handle(req, res),
  );
  server.on('connect', refuseConnect);
  server.on('clientError', answerClientError);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    server,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    // Finishes the requests in flight, then closes; idle keep-alive connections go at once, and
    // whatever still streams (an event stream, a stuck client) is cut after a grace period.
    close: () =>
      new Promise<void>((resolve, reject) => {
        const cut = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS).unref();
        server.close((error) => {
          clearTimeout(cut);
          if (error) reject(error);
          else resolve();
        });
        server.closeIdleConnections();
      }),
  };
}

/**
 * What Node's parser refuses (bad framing, headers too large, a client too slow) is answered
 * as a problem document like every other error, instead of Node's bare status line.
 */
function answerClientError(error: Error & { code?: string }, socket: Duplex): void {
  if (error.code === 'ECONNRESET' || !socket.writable) {
    socket.destroy();
    return;
  }
  const problem =
    error.code === 'HPE_HEADER_OVERFLOW'
      ? new HttpProblem(431, 'headers-too-large', 'The request line and headers are too large.')
      : error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
        ? new HttpProblem(408, 'request-timeout', 'The request took too long to arrive.')
        : new HttpProblem(400, 'malformed-request', 'The request is not valid HTTP/1.1.');
  writeProblemToSocket(socket, problem);
}
