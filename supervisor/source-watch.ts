// `npm run dev`: a program whose source changes restarts alone; the others, and PostgreSQL and
// Temporal, go on with their state.
import { watch, type FSWatcher } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Child } from './child.ts';
import { APP_PROGRAMS } from './programs.ts';

/**
 * What makes Node name every file a program imports, over its IPC channel, as it does for
 * `node --watch`: `{ 'watch:import': [url] }` for a module, `{ 'watch:require': [path] }` for a
 * CommonJS one. workers/workflow-bundle.ts names the workflow sources, which only webpack reads.
 */
export const REPORT_IMPORTS_ENV = { WATCH_REPORT_DEPENDENCIES: '1' };

/** Edits come in bursts (an editor writes, renames, touches): one restart for each burst. */
const SETTLE_MS = 200;

/**
 * Follows the files each program imported from the source tree (never node_modules) and, when
 * one changes, restarts the programs that imported it: Child.restart, so it goes the way of any
 * other restart. One watcher per folder that holds such a file.
 *
 * Why not `node --watch` for each program: its program runs as a grandchild whose IPC channel
 * goes to the watching process, so the supervisor would never hear it is ready nor notice a
 * death; and a program that dies under `--watch` waits for an edit instead of exiting, so the
 * start's attempts and the restart with backoff would never see it.
 */
export class SourceWatch {
  private readonly importers = new Map<string, Set<Child>>();
  private readonly folders = new Map<string, FSWatcher>();
  private readonly pending = new Set<Child>();
  private timer: NodeJS.Timeout | undefined;
  private readonly root: string;
  private readonly say: (line: string) => void;

  /** `root`: the source tree; a file outside it is not watched. */
  constructor(root: string, say: (line: string) => void) {
    this.root = root.endsWith(sep) ? root : `${root}${sep}`;
    this.say = say;
  }

  follow(child: Child): void {
    child.onMessage((message) => {
      const { 'watch:import': imports = [], 'watch:require': requires = [] } = (message ?? {}) as Record<string, unknown[] | undefined>;
      // A module with no file of its own (a built-in, an eval) is named null.
      for (const file of [...imports, ...requires]) if (typeof file === 'string') this.imported(child, file.startsWith('file:') ? fileURLToPath(file) : file);
    });
  }

  close(): void {
    clearTimeout(this.timer);
    for (const watcher of this.folders.values()) watcher.close();
  }

  private imported(child: Child, file: string): void {
    if (!file.startsWith(this.root) || file.includes(`${sep}node_modules${sep}`)) return;
    const importers = this.importers.get(file) ?? new Set();
    importers.add(child);
    this.importers.set(file, importers);
    const folder = dirname(file);
    if (this.folders.has(folder)) return;
    const watcher = watch(folder, (_event, name) => name && this.changed(join(folder, name)));
    // A folder that goes away (a branch switched) ends its watcher; it must not end the supervisor.
    watcher.on('error', (error) => this.say(`supervisor     | stopped watching ${folder}: ${error.message}`));
    this.folders.set(folder, watcher);
  }

  private changed(file: string): void {
    const importers = this.importers.get(file);
    if (!importers) return;
    for (const child of importers) {
      if (!this.pending.has(child)) this.say(`supervisor     | ${file.slice(this.root.length)} changed: restarting ${child.name}`);
      this.pending.add(child);
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      for (const child of this.pending) child.restart();
      this.pending.clear();
    }, SETTLE_MS);
  }
}

/** Watches the sources of the system's own programs: PostgreSQL's and Temporal's wrappers never restart. */
export function watchProgramSources(children: Child[], say: (line: string) => void): SourceWatch {
  const sourceWatch = new SourceWatch(fileURLToPath(new URL('..', import.meta.url)), say);
  for (const child of children) if (APP_PROGRAMS.some((program) => program.name === child.name)) sourceWatch.follow(child);
  return sourceWatch;
}
