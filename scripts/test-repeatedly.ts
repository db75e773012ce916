// `npm run test:repeat -- N`: the whole suite N times in a row in a fresh clone of HEAD, each run
// with an empty Jest cache and every second run with its test files in a shuffled order; then the
// pass count. It shows whether a failure is flaky, and whether it depends on the order of files.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const runs = Number(process.argv[2] ?? 5);
if (!Number.isInteger(runs) || runs < 1) throw new Error('usage: npm run test:repeat -- <number of runs>');
const repo = fileURLToPath(new URL('..', import.meta.url));
const logs = join(repo, 'test-results', 'repeat');
mkdirSync(logs, { recursive: true });

const clone = mkdtempSync(join(tmpdir(), 'shop-repeat-'));
// The embedded PostgreSQL runs as its own user when we are root: it must reach its binaries here.
chmodSync(clone, 0o755);
/** A whole run takes about ten minutes; one that hangs is ended and counted as failed. */
const RUN_TIMEOUT_MS = 60 * 60_000;
const sh = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(command, args, { cwd: clone, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: RUN_TIMEOUT_MS, killSignal: 'SIGKILL' });
console.log(`Cloning HEAD into ${clone} (uncommitted changes are not tested) and installing...`);
if (spawnSync('git', ['clone', '--quiet', repo, clone]).status !== 0) throw new Error('git clone failed');
if (sh('npm', ['ci', '--no-audit', '--no-fund']).status !== 0) throw new Error('npm ci failed in the clone');

const results: string[] = [];
let passed = 0;
for (let run = 1; run <= runs; run++) {
  const seed = run % 2 === 0 ? `run-${run}-${Date.now()}` : undefined;
  sh(process.execPath, ['node_modules/jest/bin/jest.js', '--clearCache']);
  const started = Date.now();
  // An unshuffled run is in Jest's own order even when the caller's shell sets a seed.
  const env = { ...process.env };
  Reflect.deleteProperty(env, 'TEST_SHUFFLE_SEED');
  const test = sh('npm', ['test'], seed ? { ...env, TEST_SHUFFLE_SEED: seed } : env);
  const seconds = Math.round((Date.now() - started) / 1000);
  const log = join(logs, `run-${run}.log`);
  writeFileSync(log, `${test.stdout}\n${test.stderr}`);
  const summary = /^Tests:.*$/m.exec(test.stderr)?.[0] ?? 'no summary';
  if (test.status === 0) passed++;
  const outcome = test.status === 0 ? 'passed' : test.error ? `FAILED (${test.error.message})` : 'FAILED';
  results.push(`run ${run}: ${outcome} in ${seconds} s, ${seed ? `shuffled (TEST_SHUFFLE_SEED=${seed})` : 'Jest order'}; ${summary}; log ${log}`);
  console.log(results.at(-1));
}
rmSync(clone, { recursive: true, force: true });
console.log(`\n${runs} runs of the whole suite: ${passed} passed, ${runs - passed} failed.`);
process.exitCode = passed === runs ? 0 : 1;
