// Bundles the workflow code (argv: its path, then the workflow interceptor modules) and sends it
// to the parent (workflowBundle), in a process of its own:
// webpack and swc leave some 140 MiB of native memory behind in the process that ran them, freed
// only when it exits, which the payments worker would otherwise carry for its whole life.
import { statSync } from 'node:fs';
import { sep } from 'node:path';
import { bundleWorkflowCode, DefaultLogger } from '@temporalio/worker';
import type { Compiler, Configuration } from 'webpack';

/** What the child sends: the code, and every file outside node_modules that webpack read for it. */
export interface BundleMessage {
  code: string;
  read: string[];
}

const [workflowsPath, ...workflowInterceptorModules] = process.argv.slice(2);
if (!workflowsPath || !process.send) throw new Error('usage: forked by workflowBundle() with the workflows path');
const read = new Set<string>();
const { code } = await bundleWorkflowCode({
  workflowsPath,
  workflowInterceptorModules,
  logger: new DefaultLogger('WARN'),
  webpackConfigHook: (config) => recordingReads(config, read),
});
process.send({ code, read: [...read] } satisfies BundleMessage);

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
