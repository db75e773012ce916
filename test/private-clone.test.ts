import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startSystem } from '../harness/system.ts';
import { sharedDataDirFor } from '../supervisor/postgres-as-root.ts';

// `npm start` as root from a clone the `postgres` user cannot enter (a 0700 folder, as root's
// home is), at a path with a space: PostgreSQL, which must run as that user, still comes up.
const repository = fileURLToPath(new URL('..', import.meta.url));
const asRoot = process.getuid?.() === 0;
if (!asRoot) console.warn('test/private-clone.test.ts is skipped: only root runs PostgreSQL as another user');

(asRoot ? test : test.skip)('as root, a clone in a folder only root may enter, at a path with a space, starts until the banner', async () => {
  const hidden = mkdtempSync(join(tmpdir(), 'shop private '));
  expect(statSync(hidden).mode & 0o777).toBe(0o700);
  const clone = join(hidden, 'my shop');
  const dataDir = join(clone, '.data');
  try {
    execFileSync('git', ['clone', '--quiet', repository, clone]);
    // The same packages, hard-linked (fast, and no network): they lie inside the hidden folder, as after `npm ci` there.
    execFileSync('cp', ['-al', join(repository, 'node_modules'), join(clone, 'node_modules')]);
    const system = await startSystem({ checkout: clone, dataDir, label: 'private-clone' });
    await system.stop();
  } finally {
    if (existsSync(dataDir)) rmSync(sharedDataDirFor(join(dataDir, 'postgres')), { recursive: true, force: true });
    rmSync(hidden, { recursive: true, force: true });
  }
}, 240_000);
