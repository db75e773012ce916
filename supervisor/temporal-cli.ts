import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from './process-alive.ts';
import { downloadTemporalCli } from './temporal-cli-download.ts';

/** Later tags carry a `replace` directive that `go install` rejects; this one builds offline. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;
const EXECUTABLE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';
const GO_HEARTBEAT_MS = 15_000;
/** A folder beside the cache where one run (its pid follows) downloads or builds the CLI. */
const STAGING_PREFIX = '.temporal-cli-partial-';

/** Where the tools a local run builds or downloads are kept (the Temporal CLI, the trace viewer). */
export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shop-payments');
}

/** Where a downloaded or built CLI is kept between runs. */
export function cachedTemporalCli(): string {
  return join(cacheRoot(), `temporal-cli-v${TEMPORAL_CLI_VERSION}`, EXECUTABLE);
}

function downloadUrl(): string {
  return (process.env.TEMPORAL_CLI_DOWNLOAD_URL ?? `https://github.com/temporalio/cli/releases/download/v${TEMPORAL_CLI_VERSION}`).replace(/\/+$/, '');
}

/** The `temporal` CLI (it runs the dev server): TEMPORAL_CLI_PATH if set, else one on PATH, else the cached one. */
export function findTemporalCli(): string | undefined {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  return [...onPath(EXECUTABLE), cachedTemporalCli()].find((candidate) => existsSync(candidate));
}

/**
 * Finds the CLI, or else puts it in the cache: the official release archive (checksum-verified),
 * or, failing that, a build with Go. Throws one message that names every way out when none works.
 */
export async function ensureTemporalCli(log: (line: string) => void = console.error): Promise<string> {
  const found = findTemporalCli();
  if (found) return found;

  let downloadFailure: string;
  try {
    return await intoCache(cachedTemporalCli(), (folder) =>
      downloadTemporalCli({ baseUrl: downloadUrl(), version: TEMPORAL_CLI_VERSION, executable: EXECUTABLE, into: folder, log }),
    );
  } catch (error) {
    downloadFailure = (error as Error).message;
    log(`Could not download the Temporal CLI: ${downloadFailure}`);
  }

  const go = findGo();
  let goFailure = 'Go is not installed';
  if (go) {
    try {
      return await intoCache(cachedTemporalCli(), (folder) => buildWithGo(go, folder, log));
    } catch (error) {
      goFailure = `the Go build failed: ${(error as Error).message.split('\n').slice(0, 20).join('\n')}`;
    }
  }
  throw new Error(
    `No Temporal CLI v${TEMPORAL_CLI_VERSION}: none in TEMPORAL_CLI_PATH, on PATH or at ${cachedTemporalCli()}; ` +
      `the download failed (${downloadFailure}); ${goFailure}. Any one of these fixes it: ` +
      `set TEMPORAL_CLI_PATH to a temporal binary; put temporal on PATH (https://docs.temporal.io/cli); ` +
      `set TEMPORAL_CLI_DOWNLOAD_URL to a mirror of ${downloadUrl()} (its temporal_cli_${TEMPORAL_CLI_VERSION}_<os>_<arch>.tar.gz and checksums.txt); ` +
      `install Go (https://go.dev/dl) to build it; or, for npm start, set TEMPORAL_ADDRESS to a Temporal server of your own.`,
  );
}

/**
 * Makes a tool (`make` returns its file) in a new folder beside the cache, then renames it to
 * `target`: a download or build that is interrupted leaves no half-written file where the next
 * run would take it as found.
 */
export async function intoCache(target: string, make: (folder: string) => Promise<string>): Promise<string> {
  await mkdir(cacheRoot(), { recursive: true });
  await removeAbandonedStaging();
  const staging = await mkdtemp(join(cacheRoot(), `${STAGING_PREFIX}${process.pid}-`));
  try {
    const made = await make(staging);
    await mkdir(dirname(target), { recursive: true });
    await rename(made, target);
    return target;
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
}

/** The staging folders of runs that were killed (up to 350 MB each); another run's live one stays. */
async function removeAbandonedStaging(): Promise<void> {
  for (const name of await readdir(cacheRoot())) {
    if (!name.startsWith(STAGING_PREFIX)) continue;
    const pid = Number(name.slice(STAGING_PREFIX.length).split('-')[0]);
    if (!isAlive(pid)) await rm(join(cacheRoot(), name), { recursive: true, force: true });
  }
}

/** `go install` into `folder`, saying every so often that it is still at it (it takes minutes). */
async function buildWithGo(go: string, folder: string, log: (line: string) => void): Promise<string> {
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go (once; a few minutes)...`);
  const started = Date.now();
  const heartbeat = setInterval(() => log(`still building the Temporal CLI with Go, ${Math.round((Date.now() - started) / 1000)} s…`), GO_HEARTBEAT_MS);
  try {
    // The flags of the release build: no debug symbols, and a `temporal --version` that names the version.
    const ldflags = `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`;
    await promisify(execFile)(go, ['install', `-ldflags=${ldflags}`, MODULE], {
      env: { ...process.env, GOBIN: folder, GOFLAGS: '-mod=mod' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    clearInterval(heartbeat);
  }
  log(`Built the Temporal CLI with Go in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(folder, EXECUTABLE);
}

export function onPath(executable: string): string[] {
  return (process.env.PATH ?? '').split(delimiter).filter(Boolean).map((dir) => join(dir, executable));
}

/** Go on PATH, else where its installer puts it ($GOROOT, /usr/local/go). */
export function findGo(): string | undefined {
  const goExecutable = process.platform === 'win32' ? 'go.exe' : 'go';
  const candidates = [...onPath(goExecutable), join(process.env.GOROOT ?? '/usr/local/go', 'bin', goExecutable)];
  return candidates.find((candidate) => existsSync(candidate));
}
