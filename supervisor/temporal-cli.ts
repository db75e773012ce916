import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { promisify } from 'node:util';

/** Later tags carry a `replace` directive that `go install` rejects; this one builds offline. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const MODULE = `github.com/temporalio/cli/cmd/temporal@v${TEMPORAL_CLI_VERSION}`;

const cacheDir = join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'shop-payments', `temporal-cli-v${TEMPORAL_CLI_VERSION}`);

/**
 * The `temporal` CLI (it runs the dev server): TEMPORAL_CLI_PATH if set, else one on PATH,
 * else the one this project built before, else one in Go's bin folder.
 */
export function findTemporalCli(): string | undefined {
  if (process.env.TEMPORAL_CLI_PATH) return process.env.TEMPORAL_CLI_PATH;
  const onPath = (process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'temporal'));
  const goBin = join(process.env.GOPATH ?? join(homedir(), 'go'), 'bin', 'temporal');
  return [...onPath, join(cacheDir, 'temporal'), goBin].find((candidate) => existsSync(candidate));
}

/** Finds the CLI, or builds it once with Go into a cache kept between runs; undefined without Go. */
export async function ensureTemporalCli(log: (line: string) => void = console.error): Promise<string | undefined> {
  const found = findTemporalCli();
  if (found) return found;
  const go = findGo();
  if (!go) return undefined;
  log(`Building the Temporal CLI v${TEMPORAL_CLI_VERSION} with Go into ${cacheDir} (once; a few minutes)...`);
  await promisify(execFile)(go, ['install', MODULE], {
    env: { ...process.env, GOBIN: cacheDir, GOFLAGS: '-mod=mod' },
    maxBuffer: 64 * 1024 * 1024,
  });
  return join(cacheDir, 'temporal');
}

function findGo(): string | undefined {
  const candidates = [...(process.env.PATH ?? '').split(delimiter).map((dir) => join(dir, 'go')), '/usr/local/go/bin/go'];
  return candidates.find((candidate) => existsSync(candidate));
}
