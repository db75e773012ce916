import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { connect } from 'node:net';

export interface RawExchange {
  /** Everything the server sent back. */
  answer: string;
  /** The status of each response in the answer (more than one if the bytes held several requests). */
  statuses: number[];
  /** How long until the server hung up, or the timeout if it did not. */
  ms: number;
  /** Whether the server hung up (or answered and hung up) before the timeout. */
  closed: boolean;
}

/**
 * Sends bytes exactly as given over a raw TCP connection (what fetch would refuse or repair),
 * reads until the server hangs up, and gives up after `timeoutMs`.
 */
export function sendRaw(url: string, bytes: string | Buffer, timeoutMs = 10_000): Promise<RawExchange> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(Number(port), hostname, () => socket.write(bytes));
    const done = (closed: boolean) => {
      clearTimeout(timer);
      const statuses = [...answer.matchAll(/^HTTP\/1\.[01] (\d{3})/gm)].map((match) => Number(match[1]));
      resolve({ answer, statuses, ms: Date.now() - started, closed });
    };
    const timer = setTimeout(() => {
      socket.destroy();
      done(false);
    }, timeoutMs);
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('close', () => done(true));
    // A reset after the server answered and closed is still an answer.
    socket.on('error', (error) => (answer ? undefined : reject(error)));
  });
}

export interface CapturedRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

/** An HTTP server that records what reaches it (and every connection) and answers `{}`. */
export async function startCaptureServer(): Promise<{ url: string; port: number; requests: CapturedRequest[]; connections: () => number; close: () => Promise<void> }> {
  const requests: CapturedRequest[] = [];
  let connections = 0;
  const server: Server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString('latin1')));
    req.on('end', () => {
      requests.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  server.on('connection', () => connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    connections: () => connections,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
