import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { moveIntoPlace } from '../supervisor/postgres-as-root.ts';

// As root, PostgreSQL's programs are copied once per version to a shared folder. Two first starts
// at once both find no copy and both copy; the second to rename into place meets the first's copy.

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'postgres-copy-'));
  mkdirSync(join(dir, 'installed', 'bin'), { recursive: true });
  writeFileSync(join(dir, 'installed', 'bin', 'postgres'), 'the programs');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('a copy that another start put in place first is kept, and this one leaves nothing behind', () => {
  const copy = join(dir, 'postgresql-1');
  mkdirSync(join(copy, 'bin'), { recursive: true });
  writeFileSync(join(copy, 'bin', 'postgres'), 'the other start');
  const partial = `${copy}.partial-1`;
  cpSync(join(dir, 'installed'), partial, { recursive: true });
  expect(() => moveIntoPlace(partial, copy)).not.toThrow();
  expect(readFileSync(join(copy, 'bin', 'postgres'), 'utf8')).toBe('the other start');
  expect(readdirSync(dir).sort()).toEqual(['installed', 'postgresql-1']);
});
