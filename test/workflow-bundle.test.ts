import { createHash } from 'node:crypto';
import { appendFileSync, cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { workflowBundle } from '../workers/workflow-bundle.ts';

// The payments worker's workflow bundle is kept between starts: reused while the workflow
// sources are the same, made again when one changes, and never read from a damaged file.

const root = fileURLToPath(new URL('../', import.meta.url));
let dir: string;
let source: { workflowsPath: string; cacheDir: string };
const cacheFiles = () => readdirSync(source.cacheDir).map((name) => join(source.cacheDir, name));
/** The one cache file there is. */
function cacheFile(): string {
  const [file, ...others] = cacheFiles();
  if (!file || others.length > 0) throw new Error(`not one cache file: ${cacheFiles().join(', ')}`);
  return file;
}
const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

beforeAll(() => {
  // A copy of the workflow sources, to change at will; the packages they import are the repository's.
  dir = mkdtempSync(join(tmpdir(), 'workflow-bundle-'));
  cpSync(join(root, 'workflows'), join(dir, 'workflows'), { recursive: true });
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  source = { workflowsPath: join(dir, 'workflows', 'index.ts'), cacheDir: join(dir, 'cache') };
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

test('bundling runs in a process of its own: the worker does not keep the memory webpack and swc leave behind', async () => {
  // First in this file, so that no bundling ran in this process before; made afresh, in a cache
  // folder of its own. Run in this process, webpack grew its resident memory by some 140 MiB for
  // good (native memory, not V8's heap).
  const fresh = { ...source, cacheDir: join(dir, 'fresh-cache') };
  const before = process.memoryUsage.rss();
  expect((await workflowBundle(fresh)).code).toContain('paymentWorkflow');
  expect((process.memoryUsage.rss() - before) / 2 ** 20).toBeLessThan(50);
}, 60_000);

test('the first start bundles and caches; an unchanged source reuses the cached file', async () => {
  const { code } = await workflowBundle(source);
  expect(code).toContain('paymentWorkflow');
  const file = cacheFile();
  // A sound cache file with a mark in it: the next start returns the mark, so it did not bundle.
  const marked = `${code}\n// from the cache`;
  writeFileSync(file, JSON.stringify({ ...JSON.parse(readFileSync(file, 'utf8')), codeSha256: sha256(marked), code: marked }));
  expect((await workflowBundle(source)).code).toBe(marked);
}, 60_000);

test.each([
  ['cut short', (text: string) => text.slice(0, text.length / 2)],
  ['altered', (text: string) => text.replace('paymentWorkflow', 'paymentWorkfloW')],
])('a cache file that is %s is not used, and is written again', async (_how, damage) => {
  const file = cacheFile();
  writeFileSync(file, damage(readFileSync(file, 'utf8')));
  const { code } = await workflowBundle(source);
  expect(code).toContain('paymentWorkflow');
  expect(code).not.toContain('// from the cache');
  expect(code).not.toContain('paymentWorkfloW');
  expect(cacheFiles()).toEqual([file]);
  expect((await workflowBundle(source)).code).toBe(code);
}, 60_000);

test('a changed workflow source gives a new bundle, and the old one goes', async () => {
  const before = cacheFile();
  appendFileSync(join(dir, 'workflows', 'index.ts'), "export const bundleMark = 'a changed source';\n");
  const { code } = await workflowBundle(source);
  expect(code).toContain('a changed source');
  expect(cacheFile()).not.toBe(before);
}, 60_000);

/** The workflow code imports a value from a file outside its folder (it imports types from ../services/payments/ already), which says `word`. */
function importFromOutside(word: string): string {
  const outside = join(dir, 'services', 'outcome-words.ts');
  mkdirSync(dirname(outside), { recursive: true });
  writeFileSync(outside, `export const outcomeWord = '${word}';\n`);
  const index = join(dir, 'workflows', 'index.ts');
  const line = "export { outcomeWord } from '../services/outcome-words.ts';\n";
  if (!readFileSync(index, 'utf8').includes(line)) appendFileSync(index, line);
  return outside;
}

test('a file outside the workflow folder that the workflow code imports is a source too: its change gives a new bundle', async () => {
  const outside = importFromOutside('first word');
  expect((await workflowBundle(source)).code.includes('first word')).toBe(true);
  writeFileSync(outside, "export const outcomeWord = 'second word';\n");
  const { code } = await workflowBundle(source);
  // Not toContain: a failure would print the whole bundle (a megabyte).
  expect([code.includes('first word'), code.includes('second word')]).toEqual([false, true]);
}, 60_000);

test('under npm run dev the worker names every file its bundle was read from, outside the workflow folder too', async () => {
  const named: string[] = [];
  const outside = importFromOutside('a word');
  const send = Object.getOwnPropertyDescriptor(process, 'send');
  process.send = ((message: { 'watch:import': string[] }) => named.push(...message['watch:import']) > 0) as typeof process.send;
  process.env['WATCH_REPORT_DEPENDENCIES'] = '1';
  try {
    await workflowBundle(source);
  } finally {
    if (send) Object.defineProperty(process, 'send', send);
    else delete process.send;
    delete process.env['WATCH_REPORT_DEPENDENCIES'];
  }
  expect(named).toEqual(expect.arrayContaining([join(dir, 'workflows', 'index.ts'), outside]));
}, 60_000);
