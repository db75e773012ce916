// The official Temporal CLI release archive for this machine: downloaded, checked against the
// release's sha256 list, and its binary unpacked into a folder the caller gives.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { chmod } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
// node-tar rather than the system `tar`: the same code on every OS (Windows' PATH may put Git's
// GNU tar first, which reads `C:\…` as a remote host), and it refuses absolute and `..` paths.
import { x as untar } from 'tar';

export interface DownloadOptions {
  /** The folder that holds the release's archives and its `checksums.txt` (the release page, or a mirror). */
  baseUrl: string;
  version: string;
  /** The binary's name in the archive: `temporal`, or `temporal.exe` on Windows. */
  executable: string;
  /** An empty folder to download and unpack into. */
  into: string;
  log: (line: string) => void;
  /** Without network a connection hangs or fails: the start goes on to the next way after this long. */
  answerTimeoutMs?: number;
  /** The whole download, however slow the line. */
  totalTimeoutMs?: number;
}

const PROGRESS_EVERY_MS = 2_000;
/** A broken or hostile mirror may send without end: no more than this is read of its list (the release's is 1 kB), which is held in memory. */
const MAX_CHECKSUMS_BYTES = 64 * 1024;

/** The release's `.goreleaser.yml` names archives `temporal_cli_<version>_<os>_<arch>.tar.gz` (Windows too). */
export function releaseArchiveName(version: string, platform: string = process.platform, arch: string = process.arch): string {
  const os = ({ linux: 'linux', darwin: 'darwin', win32: 'windows' } as Record<string, string>)[platform];
  const cpu = ({ x64: 'amd64', arm64: 'arm64' } as Record<string, string>)[arch];
  if (!os || !cpu) throw new Error(`the Temporal CLI has no release for ${platform}/${arch}`);
  return `temporal_cli_${version}_${os}_${cpu}.tar.gz`;
}

/** Downloads, verifies and unpacks the CLI; resolves the path of the executable inside `into`. */
export async function downloadTemporalCli(options: DownloadOptions): Promise<string> {
  const { baseUrl, version, executable, into, log, answerTimeoutMs = 5_000, totalTimeoutMs = 10 * 60_000 } = options;
  const archiveName = releaseArchiveName(version);
  const whole = deadline(totalTimeoutMs, `the download did not finish within ${totalTimeoutMs / 1000} s`);
  try {
    const checksumsUrl = `${baseUrl}/checksums.txt`;
    const checksums = await textOf(await get(checksumsUrl, whole.signal, answerTimeoutMs), MAX_CHECKSUMS_BYTES);
    const expected = checksumOf(checksums, archiveName);
    if (!expected) throw new Error(`${checksumsUrl} has no sha256 for ${archiveName}`);

    const archiveUrl = `${baseUrl}/${archiveName}`;
    log(`Downloading the Temporal CLI v${version} from ${archiveUrl}`);
    const response = await get(archiveUrl, whole.signal, answerTimeoutMs);
    const archive = join(into, archiveName);
    const actual = await saveWithProgress(response, archive, archiveName, log);
    if (actual !== expected) {
      throw new Error(`${archiveName} is not the release's: its sha256 is ${actual}, the checksums file says ${expected}`);
    }

    log(`  unpacking ${executable} from ${archiveName}`);
    await untar({ file: archive, cwd: into, strict: true, filter: (path) => path === executable });
    const binary = join(into, executable);
    if (!existsSync(binary)) throw new Error(`${archiveName} holds no ${executable}`);
    await chmod(binary, 0o755);
    return binary;
  } finally {
    whole.clear();
  }
}

/** The sha256 that a `sha256sum`-style list (`<hex>  <name>` per line) gives for `name`. */
function checksumOf(list: string, name: string): string | undefined {
  for (const line of list.split('\n')) {
    const [, sum, file] = /^([0-9a-f]{64})\s+\*?(\S+)$/i.exec(line.trim()) ?? [];
    if (sum && file === name) return sum.toLowerCase();
  }
  return undefined;
}

/** A GET that fails when no answer (headers) comes within `answerTimeoutMs`, or on any status but 2xx. */
async function get(url: string, whole: AbortSignal, answerTimeoutMs: number): Promise<Response> {
  const answer = deadline(answerTimeoutMs, `no answer from ${url} within ${answerTimeoutMs / 1000} s`);
  try {
    const response = await fetch(url, { signal: AbortSignal.any([whole, answer.signal]) });
    if (!response.ok) throw new Error(`${url} answered ${response.status} ${response.statusText}`);
    return response;
  } catch (error) {
    // fetch says only "fetch failed"; the cause says why (ECONNREFUSED, ENOTFOUND …).
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    throw cause ? new Error(`${url}: ${cause.code ?? cause.message}`) : error;
  } finally {
    answer.clear();
  }
}

/** Writes the body to `file`, saying how far it got every few seconds; resolves its sha256 (hex). */
async function saveWithProgress(response: Response, file: string, name: string, log: (line: string) => void): Promise<string> {
  const total = Number(response.headers.get('content-length')) || undefined;
  const hash = createHash('sha256');
  const started = Date.now();
  let received = 0;
  let lastSaid = started;
  const progress = (): string => `${megabytes(received)}${total ? ` of ${megabytes(total)} (${Math.floor((received / total) * 100)}%)` : ''}`;
  const count = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      hash.update(chunk);
      if (Date.now() - lastSaid >= PROGRESS_EVERY_MS) {
        lastSaid = Date.now();
        log(`  ${name}: ${progress()}`);
      }
      done(null, chunk);
    },
  });
  if (!response.body) throw new Error(`${response.url} sent no body`);
  await pipeline(Readable.fromWeb(response.body), count, createWriteStream(file));
  log(`  ${name}: ${progress()} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return hash.digest('hex');
}

/** The body as text, failing once it grows past `maxBytes`. */
async function textOf(response: Response, maxBytes: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of Readable.fromWeb(response.body ?? new ReadableStream())) {
    size += (chunk as Buffer).length;
    // Leaving the loop cancels the rest of the body.
    if (size > maxBytes) throw new Error(`${response.url} sent more than ${maxBytes / 1024} kB`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function megabytes(bytes: number): string {
  return `${(bytes / 1_000_000).toFixed(1)} MB`;
}

/** An abort signal that fires with `message` after `ms`, unless cleared first. */
function deadline(ms: number, message: string): { signal: AbortSignal; clear: () => void } {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(message)), ms);
  return { signal: controller.signal, clear: () => clearTimeout(timer) };
}
