// The payments worker's workflow code, bundled once and kept while its sources are unchanged:
// bundling takes seconds of webpack on every start, reading a cached bundle takes milliseconds.
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { bundleWorkflowCode, DefaultLogger, type WorkflowBundle } from '@temporalio/worker';
import type { Compiler, Configuration } from 'webpack';

/** The workflow code the payments worker runs, bundled from this file. */
export const WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
/** Bundled with it: the workflow interceptors (in the same folder, so a change of them makes a new bundle). */
const WORKFLOW_INTERCEPTOR_MODULES = [fileURLToPath(new URL('../workflows/request-id.interceptors.ts', import.meta.url))];
const CACHE_DIR = fileURLToPath(new URL('../node_modules/.cache/shop-payments/', import.meta.url));

export interface BundleSource {
  /** The file the bundle starts from. Every file of its folder is a source, and every other file the bundle is found to read (recorded with it). */
  workflowsPath: string;
  /** Where the bundles are kept, one file per version of the sources. */
  cacheDir: string;
}

const PREFIX = 'workflow-bundle-';
const require = createRequire(import.meta.url);
/** The bundler and the workflow runtime it bundles: another SDK makes another bundle. */
const SDK_VERSIONS = ['@temporalio/worker', '@temporalio/workflow'].map((name) => `${name}@${(require(`${name}/package.json`) as { version: string }).version}`);

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
export async function workflowBundle({ workflowsPath, cacheDir }: BundleSource = { workflowsPath: WORKFLOWS_PATH, cacheDir: CACHE_DIR }): Promise<WorkflowBundle> {
  const sources = sourcesOf(workflowsPath);
  // Named from the folder, not the disk: a copy of the tree (a test's) shares the bundle of the same sources.
  const key = sha256([...SDK_VERSIONS, ...sources.map((file) => `${relative(dirname(workflowsPath), file)}\0${sha256(readFileSync(file))}`)].join('\n'));
  const file = join(cacheDir, `${PREFIX}${key}.json`);
  const cached = readCache(file, dirname(workflowsPath));
  if (cached) {
    reportToSourceWatch([...sources, ...Object.keys(cached.read).map((path) => resolve(dirname(workflowsPath), path))]);
    return { code: cached.code };
  }
  const read = new Set<string>();
  const { code } = await bundleWorkflowCode({ workflowsPath, workflowInterceptorModules: WORKFLOW_INTERCEPTOR_MODULES, logger: new DefaultLogger('WARN'), webpackConfigHook: (config) => recordingReads(config, read) });
  reportToSourceWatch([...sources, ...read]);
  try {
    writeCache(cacheDir, file, { codeSha256: sha256(code), code, read: hashesOf([...read], dirname(workflowsPath)) });
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

/** Webpack's config with a plugin that adds every file the build read, outside node_modules, to `read`. */
function recordingReads(config: Configuration, read: Set<string>): Configuration {
  const plugin = {
    apply: (compiler: Compiler) =>
      compiler.hooks.done.tap('record-workflow-sources', (stats) => {
        // Folders are listed too; the SDK's generated entry point lives in memory only.
        for (const path of stats.compilation.fileDependencies) {
          if (!path.split(sep).includes('node_modules') && statSync(path, { throwIfNoEntry: false })?.isFile()) read.add(path);
        }
      }),
  };
  return { ...config, plugins: [...(config.plugins ?? []), plugin] };
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

/** Written to a file of its own, then renamed: a reader sees the whole bundle or none. The bundles of older sources go. */
function writeCache(cacheDir: string, file: string, contents: CacheFile): void {
  mkdirSync(cacheDir, { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(contents));
  renameSync(partial, file);
  for (const name of readdirSync(cacheDir)) {
    if (name.startsWith(PREFIX) && name.endsWith('.json') && join(cacheDir, name) !== file) rmSync(join(cacheDir, name), { force: true });
  }
}
