import { existsSync } from 'node:fs';
import { cachedGoTool, buildWithGo, findGo, intoCache, onPath, type GoTool } from './go-tools.ts';
import { downloadTemporalCli } from './temporal-cli-download.ts';

/** Later tags carry a `replace` directive that `go install` rejects; this one builds offline. */
export const TEMPORAL_CLI_VERSION = '1.5.1';
const EXECUTABLE = process.platform === 'win32' ? 'temporal.exe' : 'temporal';

const TEMPORAL_CLI: GoTool = {
  title: 'the Temporal CLI',
  name: 'temporal-cli',
  version: TEMPORAL_CLI_VERSION,
  goPackage: 'github.com/temporalio/cli/cmd/temporal',
  executable: EXECUTABLE,
  // The flags of the release build: no debug symbols, and a `temporal --version` that names the version.
  ldflags: `-s -w -X github.com/temporalio/cli/temporalcli.Version=${TEMPORAL_CLI_VERSION}`,
};

/** Where a downloaded or built CLI is kept between runs. */
export function cachedTemporalCli(): string {
  return cachedGoTool(TEMPORAL_CLI);
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
    return await intoCache(TEMPORAL_CLI, (folder) =>
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
      return await intoCache(TEMPORAL_CLI, (folder) => buildWithGo(go, TEMPORAL_CLI, folder, log));
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
