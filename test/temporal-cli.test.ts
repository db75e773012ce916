import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, createReadStream, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server } from 'node:http';
import { createServer as createTcpServer, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { c as tar } from 'tar';
import { freePort } from '../harness/free-port.ts';
import { findTemporalCli, TEMPORAL_CLI_VERSION } from '../supervisor/temporal-cli.ts';
import { releaseArchiveName } from '../supervisor/temporal-cli-download.ts';
import { TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER } from '../supervisor/temporal-cluster-tools.ts';

// `npm test`'s way to the Temporal CLI on a machine without one, without Go and without network:
// a local mirror serves a release-shaped archive made from the CLI this machine already has.

const script = fileURLToPath(new URL('../scripts/ensure-temporal-cli.ts', import.meta.url));
const archiveName = releaseArchiveName(TEMPORAL_CLI_VERSION);
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

const source = findTemporalCli();
let folder: string;
let archive: string;
let mirror: Server;
let mirrorUrl: string;

beforeAll(async () => {
  folder = mkdtempSync(join(tmpdir(), 'shop-temporal-cli-'));
  if (!source) throw new Error('this test builds its archive from the Temporal CLI that `npm test` made sure of');
  // As in the release: `temporal` at the archive's top, beside a LICENSE.
  const contents = join(folder, 'contents');
  mkdirSync(contents);
  copyFileSync(source, join(contents, 'temporal'));
  writeFileSync(join(contents, 'LICENSE'), 'MIT\n');
  archive = join(folder, archiveName);
  await tar({ file: archive, cwd: contents, gzip: { level: 1 }, portable: true }, ['LICENSE', 'temporal']);
  rmSync(contents, { recursive: true });

  // /release/ is a faithful mirror; /tampered/ serves the same archive with another file's sum.
  const checksums = { release: sha256(archive), tampered: createHash('sha256').update('another file').digest('hex') };
  mirror = createHttpServer((request, response) => {
    const [, kind, name] = (request.url ?? '').split('/');
    const sum = checksums[kind as keyof typeof checksums];
    if (sum && name === 'checksums.txt') {
      response.end(`${sum}  ${archiveName}\n${'0'.repeat(64)}  temporal_cli_${TEMPORAL_CLI_VERSION}_other_os.tar.gz\n`);
    } else if (sum && name === archiveName) {
      response.writeHead(200, { 'content-length': statSync(archive).size });
      createReadStream(archive).pipe(response);
    } else {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => mirror.listen(0, '127.0.0.1', resolve));
  mirrorUrl = `http://127.0.0.1:${(mirror.address() as { port: number }).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise((resolve) => mirror.close(resolve));
  rmSync(folder, { recursive: true, force: true });
});

/**
 * `node scripts/ensure-temporal-cli.ts` (npm's pretest) with nothing found: a PATH with no
 * `temporal` (and no `go` unless given), no Go where its installer puts it, and an empty cache of its own.
 */
async function ensureWith(
  downloadUrl: string,
  options: { go?: string; home?: string; args?: string[]; onStderr?: (stderr: string, child: ChildProcess, cache: string) => void } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number; home: string; cache: string }> {
  const home = options.home ?? mkdtempSync(join(folder, 'home-'));
  const bin = join(home, 'bin');
  mkdirSync(bin, { recursive: true });
  if (options.go) writeFileSync(join(bin, 'go'), options.go, { mode: 0o755 });
  const cache = join(home, 'cache');
  const started = Date.now();
  const child = spawn(process.execPath, [script, ...(options.args ?? [])], {
    env: { PATH: bin, HOME: home, GOROOT: home, XDG_CACHE_HOME: cache, TEMPORAL_CLI_DOWNLOAD_URL: downloadUrl },
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    options.onStderr?.(stderr, child, cache);
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  return { code, stdout, stderr, seconds: (Date.now() - started) / 1000, home, cache };
}

/** Every file under `dir`, however deep. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

test('with no CLI, no Go and no network, the release archive from a mirror gives a working CLI in the cache', async () => {
  const result = await ensureWith(`${mirrorUrl}/release/`);
  console.log(`download and unpack from the local mirror: ${result.seconds} s`);
  expect(result.stderr).toContain(`${archiveName}: `);
  expect(result.stderr).toMatch(/MB of [\d.]+ MB \(100%\) in [\d.]+ s/);
  expect(result.code).toBe(0);
  const cli = result.stdout.trim();
  expect(cli).toBe(join(result.cache, 'shop-payments', `temporal-cli-v${TEMPORAL_CLI_VERSION}`, 'temporal'));
  // Only the CLI is left: no archive, no partial folder.
  expect(filesUnder(result.cache)).toEqual([cli]);
  expect(statSync(cli).mode & 0o111).toBe(0o111);
  const { stdout } = await promisify(execFile)(cli, ['--version']);
  expect(stdout).toMatch(/^temporal version /);
  expect(sha256(cli)).toBe(sha256(source ?? ''));
}, 120_000);

test('an archive whose sha256 is not the one in checksums.txt is refused, and nothing is left in the cache', async () => {
  const result = await ensureWith(`${mirrorUrl}/tampered`);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain(`its sha256 is ${sha256(archive)}, the checksums file says ${createHash('sha256').update('another file').digest('hex')}`);
  expect(filesUnder(result.cache)).toEqual([]);
}, 120_000);

test('a mirror that never answers is given up within seconds, with one message naming every way out', async () => {
  const sockets: Socket[] = [];
  const silent = createTcpServer((socket) => sockets.push(socket));
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
  const result = await ensureWith(`http://127.0.0.1:${(silent.address() as { port: number }).port}`);
  sockets.forEach((socket) => socket.destroy());
  silent.close();
  console.log(`a silent mirror given up after ${result.seconds} s`);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('within 5 s');
  expect(result.seconds).toBeLessThan(10);
  for (const wayOut of ['TEMPORAL_CLI_PATH', 'put temporal on PATH', 'TEMPORAL_CLI_DOWNLOAD_URL', 'install Go']) expect(result.stderr).toContain(wayOut);
}, 60_000);

test('a mirror that refuses the connection is given up at once', async () => {
  const result = await ensureWith(`http://127.0.0.1:${await freePort()}`);
  console.log(`a refusing mirror given up after ${result.seconds} s`);
  expect(result.code).toBe(1);
  expect(result.stderr).toContain('ECONNREFUSED');
  expect(result.seconds).toBeLessThan(5);
}, 60_000);

test('a download killed while it unpacks leaves nothing that a later run takes for the CLI, and the next run clears it away', async () => {
  let watching = false;
  const result = await ensureWith(`${mirrorUrl}/release`, {
    onStderr: (stderr, child, cache) => {
      if (watching || !stderr.includes('unpacking')) return;
      watching = true;
      // Killed once the binary has begun to be written, wherever that is.
      const poll = setInterval(() => {
        if (!filesUnder(cache).some((file) => basename(file) === 'temporal')) return;
        clearInterval(poll);
        child.kill('SIGKILL');
      }, 20);
    },
  });
  expect(result.code).toBeNull();
  const cli = join(result.cache, 'shop-payments', `temporal-cli-v${TEMPORAL_CLI_VERSION}`, 'temporal');
  expect(existsSync(cli)).toBe(false);

  // The next run downloads it again, and clears away what the killed one left.
  const again = await ensureWith(`${mirrorUrl}/release`, { home: result.home });
  expect(again.code).toBe(0);
  expect(filesUnder(again.cache)).toEqual([cli]);
}, 120_000);

test('when the download fails, Go builds the CLI into the cache and says every 15 s that it is still at it', async () => {
  // A stand-in for `go install` that takes 16 s and leaves a `temporal` in GOBIN.
  const go = `#!${process.execPath}
setTimeout(() => import('node:fs').then(({ writeFileSync }) => writeFileSync(process.env.GOBIN + '/temporal', '#!/bin/sh\\necho built by go\\n', { mode: 0o755 })), 16_000);
`;
  const result = await ensureWith(`http://127.0.0.1:${await freePort()}`, { go });
  expect(result.stderr).toContain('Could not download the Temporal CLI');
  expect(result.stderr).toContain('still building the Temporal CLI with Go, 15 s…');
  expect(result.code).toBe(0);
  const cli = join(result.cache, 'shop-payments', `temporal-cli-v${TEMPORAL_CLI_VERSION}`, 'temporal');
  expect(result.stdout.trim()).toBe(cli);
  expect(filesUnder(result.cache)).toEqual([cli]);
}, 60_000);

test('with --cluster, Go builds the Temporal server, its SQL tool and the Web UI server into the cache, once each', async () => {
  // A stand-in for `go install` that notes what it was asked to build and leaves the package's executable in GOBIN.
  const go = `#!${process.execPath}
const { appendFileSync, writeFileSync } = await import('node:fs');
const target = process.argv.at(-1);
appendFileSync(process.env.HOME + '/go-installs', target + '\\n');
writeFileSync(process.env.GOBIN + '/' + target.split('@')[0].split('/').at(-1), '#!/bin/sh\\n', { mode: 0o755 });
`;
  const result = await ensureWith(`${mirrorUrl}/release`, { go, args: ['--cluster'] });
  expect(result.code).toBe(0);
  const tools = [TEMPORAL_SERVER, TEMPORAL_SQL_TOOL, TEMPORAL_UI_SERVER];
  const built = tools.map((tool) => join(result.cache, 'shop-payments', `${tool.name}-v${tool.version}`, tool.executable));
  expect(result.stdout.trim().split('\n').slice(1)).toEqual(built);
  expect(readFileSync(join(result.home, 'go-installs'), 'utf8').trim().split('\n')).toEqual(tools.map((tool) => `${tool.goPackage}@v${tool.version}`));
  // A second run finds them all and builds nothing.
  const again = await ensureWith(`${mirrorUrl}/release`, { go, args: ['--cluster'], home: result.home });
  expect(again.code).toBe(0);
  expect(readFileSync(join(result.home, 'go-installs'), 'utf8').trim().split('\n')).toHaveLength(tools.length);
}, 60_000);
