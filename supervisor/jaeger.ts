// The trace viewer a local run shows when TRACE_VIEWER=true: Jaeger's all-in-one `jaeger` binary,
// found, or built once with Go into the cache beside the Temporal CLI.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cachedGoTool, findGo, intoCache, onPath, type GoTool } from './go-tools.ts';

const MODULE = 'github.com/jaegertracing/jaeger';
const JAEGER: GoTool = { title: 'Jaeger', name: 'jaeger', version: '1.76.0', goPackage: `${MODULE}/cmd/jaeger`, executable: 'jaeger' };
const GO_HEARTBEAT_MS = 15_000;

/** TRACE_VIEWER_PATH if set, else `jaeger` on PATH (a release binary, with its UI), else the cached build. */
function findJaeger(): string | undefined {
  if (process.env['TRACE_VIEWER_PATH']) return process.env['TRACE_VIEWER_PATH'];
  return [...onPath(JAEGER.executable), cachedGoTool(JAEGER)].find((candidate) => existsSync(candidate));
}

/** Finds Jaeger, or else builds it with Go into the cache (minutes, once); throws the ways out when neither works. */
export async function ensureJaeger(log: (line: string) => void): Promise<string> {
  const found = findJaeger();
  if (found) return found;
  const go = findGo();
  if (!go) {
    throw new Error(
      `No Jaeger for TRACE_VIEWER: none in TRACE_VIEWER_PATH, on PATH or at ${cachedGoTool(JAEGER)}, and no Go to build it. ` +
        `Set TRACE_VIEWER_PATH to a jaeger binary (a Jaeger release), or install Go (https://go.dev/dl).`,
    );
  }
  return intoCache(JAEGER, (folder) => buildWithGo(go, folder, log));
}

/**
 * `go install` refuses Jaeger's module (its go.mod has `replace` directives), so it is built as a
 * tool of a throw-away module, at low priority: other work on the machine goes on meanwhile.
 */
async function buildWithGo(go: string, folder: string, log: (line: string) => void): Promise<string> {
  log(`Building Jaeger v${JAEGER.version} with Go for the trace viewer (once; several minutes)...`);
  const started = Date.now();
  const heartbeat = setInterval(() => log(`still building Jaeger with Go, ${Math.round((Date.now() - started) / 1000)} s…`), GO_HEARTBEAT_MS);
  const goIn = (args: string[]) =>
    promisify(execFile)('nice', ['-n', '10', go, ...args], { cwd: folder, env: { ...process.env, GOFLAGS: '-mod=mod' }, maxBuffer: 64 * 1024 * 1024 });
  try {
    await writeFile(join(folder, 'go.mod'), 'module shop-payments/trace-viewer\n');
    await goIn(['get', '-tool', `${JAEGER.goPackage}@v${JAEGER.version}`]);
    await goIn(['build', '-ldflags=-s -w', '-o', JAEGER.executable, JAEGER.goPackage]);
  } finally {
    clearInterval(heartbeat);
  }
  log(`Built Jaeger with Go in ${Math.round((Date.now() - started) / 1000)} s`);
  return join(folder, JAEGER.executable);
}
