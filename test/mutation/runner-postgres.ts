import { readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The data folders of the PostgreSQL servers that Stryker's test processes start, named after the
// process: `shop-test-pg-stryker-<pid>-…`. Stryker ends a test process with SIGKILL (after a
// timeout, and at the end of the run), which kills its server too, with no chance to remove its data.
const PREFIX = 'shop-test-pg-stryker-';

/** The prefix of this process's data folder. */
export function dataDirPrefix(): string {
  return `${PREFIX}${process.pid}-`;
}

/**
 * Removes the data folders whose test process is gone: killed by Stryker, together with its
 * server. A live process's folder is kept, whichever run it belongs to; folders of other names
 * (`npm test` beside this run) are never touched.
 */
export async function removeDataOfEndedRunners(): Promise<string[]> {
  const removed: string[] = [];
  for (const name of await readdir(tmpdir())) {
    const pid = Number(/^shop-test-pg-stryker-(\d+)-/.exec(name)?.[1]);
    if (!pid || isAlive(pid)) continue;
    await rm(join(tmpdir(), name), { recursive: true, force: true });
    removed.push(name);
  }
  return removed;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process lives, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
