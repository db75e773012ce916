import { chmodSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '../supervisor/process-alive.ts';

// Ports are drawn outside the kernel's ephemeral range (32768-60999 by default on Linux), never
// from it. A port the kernel handed out for `bind(0)` and that was closed again is soon handed out
// again: to the Temporal dev server's internal services (it takes five that way), or as the local
// port of any outgoing connection; the program meant to bind it then fails with EADDRINUSE.
const [FIRST, LAST] = portsOutsideEphemeralRange();

// Each port handed out is claimed by a file naming the claiming process, so concurrent test runs,
// benches and chaos runs on one machine never get the same port.
const CLAIMS = join(tmpdir(), 'shop-payments-ports');
const CLAIM_TTL_MS = 6 * 3_600_000;
const claimed = new Set<number>();

/** A TCP port on loopback that nothing listens on, claimed for this process until it exits. */
export async function freePort(): Promise<number> {
  openClaims();
  for (let attempt = 0; attempt < 200; attempt++) {
    const port = FIRST + Math.floor(Math.random() * (LAST - FIRST));
    if (claimed.has(port) || !claim(port)) continue;
    if (await canListen(port)) return port;
    releasePort(port);
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

/** Gives a port back before this process ends (a test that starts many systems in one process). */
export function releasePort(port: number): void {
  if (!claimed.delete(port)) return;
  rmSync(join(CLAIMS, String(port)), { force: true });
}

function releaseAll(): void {
  for (const port of claimed) releasePort(port);
}


function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });
}


/** The claims folder is shared by every user's runs on the machine, like /tmp itself. */
function openClaims(): void {
  mkdirSync(CLAIMS, { recursive: true });
  try {
    chmodSync(CLAIMS, 0o1777);
  } catch {
    // Another user made it, and made it shared.
  }
}

/** Up to 12 000 ports just below the ephemeral range, or above it when it starts too low. */
function portsOutsideEphemeralRange(): [number, number] {
  let low = 32_768;
  let high = 60_999;
  try {
    [low = low, high = high] = readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/).map(Number);
  } catch {
    // Not Linux: its default range.
  }
  if (low > 12_000) return [Math.max(10_000, low - 12_000), low - 1];
  if (high < 63_000) return [high + 1, 65_535];
  // Every port is ephemeral: the claims and the listen check are all there is.
  return [10_000, 32_000];
}
