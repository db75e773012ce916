// The payments worker's workflow code, bundled once and kept while its sources are unchanged:
// bundling takes seconds of webpack on every start, reading a cached bundle takes milliseconds.
import { fork } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { WorkflowBundle } from '@temporalio/worker';
import type { BundleMessage } from './workflow-bundler.ts';

/** The workflow code the payments worker runs, bundled from this file. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Bundled with it: the workflow interceptors (in the same folder, so a change of them makes a new bundle). */
const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../workflows/request-id.interceptors.ts', import.meta.url))];
const CACHE_DIR = fileURLToPath(new URL('../node_modules/.cache/shop-payments/', import.meta.url));
const BUNDLER_PATH = fileURLToPath(new URL('./workflow-bundler.ts', import.meta.url));

export interface BundleSource {
  /** The file the bundle starts from. Every file of its folder is a source, and every other file the bundle is found to read (recorded with it). */
  workflowsPath: string;
  /** Where the bundles are kept, one file per version of the sources. */
  cacheDir: string;
  /** Workflow interceptor modules bundled with the code (the tracing ones, when tracing is on). Such a bundle is cached beside the plain one, under its own name. */
  interceptorModules?: string[];
}

const PREFIX = 'workflow-bundle-';
const require = createRequire(import.meta.url);

/** The payment workflow's sources, and where their bundles are cached. */
export const WORKFLOW_SOURCE: BundleSource = { workflowsPath: WORKFLOWS_PATH, cacheDir: CACHE_DIR };
/**
 * The same with Temporal's OpenTelemetry workflow interceptors, which run inside the workflow's
 * sandbox: the bundle a payments worker runs when tracing is on (workers/worker-tracing.ts).
 */
export const TRACED_WORKFLOW_SOURCE: BundleSource = {
  ...WORKFLOW_SOURCE,
  interceptorModules: [require.resolve('@temporalio/interceptors-opentelemetry/lib/workflow-interceptors')],
};
/** The bundler and the workflow runtime it bundles: another SDK makes another bundle. */
const SDK_VERSIONS = ['@temporalio/worker', '@temporalio/workflow', '@temporalio/interceptors-opentelemetry'].map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`);

/**
 * What a cache file holds: the code, and its hash, so that a damaged file is told from a good one;
 * and every file outside node_modules that webpack read for it (relative to the workflow folder)
 * with its hash. The cache key sees the workflow folder only; a file elsewhere that the workflow
 * code imports (a constant from services/) would otherwise change unseen, and the worker would
 * run old workflow code.
 */
interface CacheFile {
  codeSha256: string;
  code: string;
  read: Record<string, string>;
}

const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');

/** The workflow code: the cached bundle of these sources if there is a sound one, else a new bundle, cached. */
export async function workflowBundle({ workflowsPath, cacheDir, interceptorModules = [] }: BundleSource = WORKFLOW_SOURCE): Promise<WorkflowBundle> {
  const sources = sourcesOf(workflowsPath);
  // Named from the folder, not the disk: a copy of the tree (a test's) shares the bundle of the same sources.
  const named = (path: string) => relative(dirname(workflowsPath), path);
  const key = sha256([...SDK_VERSIONS, ...interceptorModules.map(named), ...sources.map((file) => `${named(file)}\0${sha256(readFileSync(file))}`)].join('\n'));
  const prefix = interceptorModules.length > 0 ? `${PREFIX}intercepted-` : PREFIX;
  const file = join(cacheDir, `${prefix}${key}.json`);
  const cached = readCache(file, dirname(workflowsPath));
  if (cached) {
    reportToSourceWatch([...sources, ...Object.keys(cached.read).map((path) => resolve(dirname(workflowsPath), path))]);
    return { code: cached.code };
  }
  const { code, read } = await bundleInChildProcess(workflowsPath, [...WORKFLOW_INTERCEPTOR_MODULES, ...interceptorModules]);
  reportToSourceWatch([...sources, ...read]);
  try {
    writeCache(cacheDir, prefix, file, { codeSha256: sha256(code), code, read: hashesOf(read, dirname(workflowsPath)) });
  } catch (error) {
    // A folder that cannot be written (an image's read-only tree) only costs the next start a bundling.
    process.emitWarning(`the workflow bundle was not cached in ${cacheDir}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return { code };
}

function sourcesOf(workflowsPath: string): string[] {
  const folder = dirname(workflowsPath);
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
}

/**
 * Webpack reads the workflow sources, Node never imports them: under `npm run dev` the worker
 * names them itself (its folder, and any file elsewhere the bundle read), the way Node names the
 * files a program imports (supervisor/source-watch.ts). Before the worker starts its threads.
 */
function reportToSourceWatch(sources: string[]): void {
  if (!process.env['WATCH_REPORT_DEPENDENCIES'] || !process.send) return;
  process.send({ 'watch:import': sources });
  // The SDK's workflow threads, started next, must not inherit it: Node would post their imports
  // to the worker, which takes every message of its threads for its own and dies of them. The
  // worker's own imports have all been named by now.
  delete process.env['WATCH_REPORT_DEPENDENCIES'];
}

/**
 * Runs webpack in a child (workflow-bundler.ts) and takes its bundle: the memory it leaves behind
 * goes with the child. The child does not report its imports to a source watch (its parent would
 * take them for its own: see reportToSourceWatch).
 */
function bundleInChildProcess(workflowsPath: string, interceptorModules: string[]): Promise<BundleMessage> {
  const env = { ...process.env };
  delete env['WATCH_REPORT_DEPENDENCIES'];
  const child = fork(BUNDLER_PATH, [workflowsPath, ...interceptorModules], { env, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let bundle: BundleMessage | undefined;
    child.once('message', (message) => (bundle = message as BundleMessage));
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (bundle && code === 0) resolve(bundle);
      else reject(new Error(`bundling the workflow code failed (${signal ?? `exit code ${code}`})`));
    });
  });
}

/** Each file's sha256, keyed by its path relative to `folder` (a copy of the tree reads the same). */
function hashesOf(files: string[], folder: string): Record<string, string> {
  return Object.fromEntries(files.map((path) => [relative(folder, path), sha256(readFileSync(path))]));
}

/** The cache file `file`, unless it is missing, cut short or damaged, or a file its bundle was built from has changed since. */
function readCache(file: string, folder: string): CacheFile | undefined {
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CacheFile;
    if (typeof cached.code !== 'string' || sha256(cached.code) !== cached.codeSha256) return undefined;
    const unchanged = Object.entries(cached.read).every(([path, hash]) => sha256(readFileSync(resolve(folder, path))) === hash);
    return unchanged ? cached : undefined;
  } catch {
    return undefined;
  }
}

/** Written to a file of its own, then renamed: a reader sees the whole bundle or none. The bundles of older sources (of the same prefix) go. */
function writeCache(cacheDir: string, prefix: string, file: string, contents: CacheFile): void {
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(contents));
  renameSync(partial, file);
  for (const name of readdirSync(cacheDir)) {
    if (/^[0-9a-f]{64}\.json$/.test(name.slice(prefix.length)) && name.startsWith(prefix) && join(cacheDir, name) !== file) rmSync(join(cacheDir, name), { force: true });
  }
}
