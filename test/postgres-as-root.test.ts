import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { copyOnce } from '../supervisor/postgres-as-root.ts';

// As root, PostgreSQL's programs are copied once per version to a shared folder. Two first starts
// at once both find no copy and both copy; the second to rename into place meets the first's copy.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postgres-copy-'));
  mkdirSync(join(dir, 'installed', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'installed', 'bin', 'postgres'), 'the programs');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a copy made by another start while this one copied is kept, and this one leaves nothing behind', () => {
  const copy = join(dir, 'postgresql-1');
  // The other start renames its copy into place between this start's look and its rename.
  // The module object behind node:fs's named exports; its namespace cannot be spied on.
  const look = jest.spyOn(createRequire(import.meta.url)('node:fs') as typeof import('node:fs'), 'existsSync');
  look.mockImplementationOnce(() => {
    mkdirSync(join(copy, 'bin'), { recursive: true });
    writeFileSync(join(copy, 'bin', 'postgres'), 'the other start');
    return false;
  });
  expect(() => copyOnce(join(dir, 'installed'), copy)).not.toThrow();
  look.mockRestore();
  expect(readFileSync(join(copy, 'bin', 'postgres'), 'utf8')).toBe('the other start');
  expect(readdirSync(dir).sort()).toEqual(['installed', 'postgresql-1']);
});
