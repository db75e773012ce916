import { mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Ports are drawn below the kernel's ephemeral range (32768-60999 on Linux), never from it. A
// port the kernel handed out for `bind(0)` and that was closed again is soon handed out again:
// to the Temporal dev server's internal services (it takes five that way), or as the local port
// of any outgoing connection; the program meant to bind it then fails with EADDRINUSE.
const FIRST = 20_000;
const LAST = 32_000;

// Each port handed out is claimed by a file naming the claiming process, so concurrent test runs,
// benches and chaos runs on one machine never get the same port.
const CLAIMS = join(tmpdir(), 'shop-payments-ports');
const CLAIM_TTL_MS = 6 * 3_600_000;
const claimed = new Set<number>();

/** A TCP port on loopback that nothing listens on, claimed for this process until it exits. */
export async function freePort(): Promise<number> {
  mkdirSync(CLAIMS, { recursive: true });
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (claimed.has(port) || !claim(port)) continue;
    if (await canListen(port)) return port;
    release(port);
  }
  throw new Error(`no free port between ${FIRST} and ${LAST}`);
}

function claim(port: number): boolean {
  const file = join(CLAIMS, String(port));
  if (isClaimed(file)) return false;
  try {
    writeFileSync(file, String(process.pid), { flag: 'wx' });
  } catch {
    return false;
  }
  if (claimed.size === 0) process.once('exit', releaseAll);
  claimed.add(port);
  return true;
}

/** A claim stands while its process lives (and not for ever: a pid may be reused). */
function isClaimed(file: string): boolean {
  try {
    const owner = Number(readFileSync(file, 'utf8'));
    if (isAlive(owner) && Date.now() - statSync(file).mtimeMs < CLAIM_TTL_MS) return true;
    rmSync(file, { force: true });
    return false;
  } catch {
    return false;
  }
}

function release(port: number): void {
  claimed.delete(port);
  rmSync(join(CLAIMS, String(port)), { force: true });
}

function releaseAll(): void {
  for (const port of claimed) release(port);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}

