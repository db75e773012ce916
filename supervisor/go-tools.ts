// Go programs that the project runs but npm does not carry (the Temporal CLI, server, SQL tool and
// Web UI server): each is kept under ~/.cache/shop-payments/<name>-v<version>/ once made, and made
// by `go install` when nothing else provides it.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { homedir } from 'node:os';
import { delimiter, dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive } from './process-alive.ts';

export interface GoTool {
  /** What it is called in messages: "the Temporal server". */
  title: string;
  /** Its folder in the cache, before `-v<version>`. */
  name: string;
  version: string;
  /** The package `go install` builds (without `@v<version>`). */
  goPackage: string;
  /** The file `go install` makes: the package's last path element. */
  executable: string;
  /** Linker flags of its release build, if the version it reports depends on them. */
  ldflags?: string;
}

const GO_HEARTBEAT_MS = 15_000;
/** A folder in the cache where one run (its pid follows) downloads or builds a tool. */
const STAGING_PREFIX = '.partial-';

export function cacheRoot(): string {
  return join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shop-payments');
}

/** Where the tool is kept between runs. */
export function cachedGoTool(tool: GoTool): string {
  return join(cacheRoot(), `${tool.name}-v${tool.version}`, tool.executable);
}

/** The cached tool, or else one built with Go into the cache now. */
export async function ensureGoTool(tool: GoTool, log: (line: string) => void = console.error): Promise<string> {
  const cached = cachedGoTool(tool);
  if (existsSync(cached)) return cached;
  const go = findGo();
  if (!go) throw new Error(`${tool.title} v${tool.version} is not at ${cached}, and Go, which builds it, is not installed (https://go.dev/dl)`);
  return intoCache(tool, (folder) => buildWithGo(go, tool, folder, log));
}

/**
 * Makes the tool in a new folder in the cache, then renames it into place: a download or build
 * that is interrupted leaves no half-written file where the next run would take it as found.
 */
export async function intoCache(tool: GoTool, make: (folder: string) => Promise<string>): Promise<string> {
  await mkdir(cacheRoot(), { recursive: true });
  await removeAbandonedStaging();
  const staging = await mkdtemp(join(cacheRoot(), `${STAGING_PREFIX}${process.pid}-`));
  try {
    const made = await make(staging);
    const target = cachedGoTool(tool);
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

/**
 * `go install` into `folder`, saying every so often that it is still at it (it takes minutes).
 * A module that needs a newer Go than the one installed gets it from the module proxy
 * (GOTOOLCHAIN=auto, Go's default, unless the caller chose a toolchain).
 */
export async function buildWithGo(go: string, tool: GoTool, folder: string, log: (line: string) => void): Promise<string> {
  log(`Building ${tool.title} v${tool.version} with Go (once; a few minutes)...`);
  const started = Date.now();
  const heartbeat = setInterval(() => log(`still building ${tool.title} with Go, ${Math.round((Date.now() - started) / 1000)} s…`), GO_HEARTBEAT_MS);
  try {
    await promisify(execFile)(go, ['install', ...(tool.ldflags ? [`-ldflags=${tool.ldflags}`] : []), `${tool.goPackage}@v${tool.version}`], {
      env: { GOTOOLCHAIN: 'auto', ...process.env, GOBIN: folder, GOFLAGS: '-mod=mod' },
      maxBuffer: 64 * 1024 * 1024,
    });
  } finally {
    clearInterval(heartbeat);
  }
  log(`Built ${tool.title} with Go in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(folder, tool.executable);
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
