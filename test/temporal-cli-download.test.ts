import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { c as tar } from 'tar';
import { downloadTemporalCli, releaseArchiveName } from '../supervisor/temporal-cli-download.ts';

// A mirror is trusted for its checksums file too, so what it serves must not reach past the
// folder it is unpacked into: a `temporal` that is a link to another file is refused.

const VERSION = '0.0.0-test';
let dir: string;
let server: Server;
let baseUrl: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'temporal-cli-download-'));
  const contents = join(dir, 'contents');
  mkdirSync(contents);
  writeFileSync(join(dir, 'private-key'), 'secret');
  chmodSync(join(dir, 'private-key'), 0o600);
  // Relative: node-tar strips (and, strict, refuses) an absolute link target.
  symlinkSync('../private-key', join(contents, 'temporal'));
  const archive = join(dir, releaseArchiveName(VERSION));
  await tar({ file: archive, cwd: contents, gzip: true }, ['temporal']);
  const body = readFileSync(archive);
  const sum = createHash('sha256').update(body).digest('hex');
  server = createServer((request, response) => {
    if (request.url?.startsWith('/endless/')) endless(response);
    else if (request.url === '/checksums.txt') response.end(`${sum}  ${releaseArchiveName(VERSION)}\n`);
    else response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});

/** A broken mirror: a body that never ends, as fast as it is read. */
function endless(response: ServerResponse): void {
  const line = Buffer.from(`${'0'.repeat(64)}  some_other_file.tar.gz\n`.repeat(1000));
  const more = () => {
    while (response.write(line));
  };
  response.on('drain', more);
  response.on('close', () => response.off('drain', more));
  more();
}

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
  rmSync(dir, { recursive: true, force: true });
});

test('an archive whose temporal is a symbolic link that leads out of the folder is refused, and the file it leads to keeps its mode', async () => {
  const into = mkdtempSync(join(dir, 'into-'));
  await expect(downloadTemporalCli({ baseUrl, version: VERSION, executable: 'temporal', into, log: () => undefined })).rejects.toThrow(/linkpath escapes/);
  expect(statSync(join(dir, 'private-key')).mode & 0o777).toBe(0o600);
});

test('a mirror whose checksums file never ends is given up once it is past any real list, not when memory runs out', async () => {
  const into = mkdtempSync(join(dir, 'into-'));
  const started = Date.now();
  await expect(downloadTemporalCli({ baseUrl: `${baseUrl}/endless`, version: VERSION, executable: 'temporal', into, log: () => undefined, totalTimeoutMs: 20_000 })).rejects.toThrow(/sent more than/);
  expect(Date.now() - started).toBeLessThan(5_000);
});
