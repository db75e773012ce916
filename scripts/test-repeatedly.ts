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
const sh = (command: string, args: string[], env: NodeJS.ProcessEnv = process.env) => spawnSync(command, args, { cwd: clone, env, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
console.log(`Cloning HEAD into ${clone} (uncommitted changes are not tested) and installing...`);
if (spawnSync('git', ['clone', '--quiet', repo, clone]).status !== 0) throw new Error('git clone failed');
if (sh('npm', ['ci', '--no-audit', '--no-fund']).status !== 0) throw new Error('npm ci failed in the clone');

const results: string[] = [];
let passed = 0;
for (let run = 1; run <= runs; run++) {
  const seed = run % 2 === 0 ? `run-${run}-${Date.now()}` : undefined;
  const started = Date.now();
  // An unshuffled run is in Jest's own order even when the caller's shell sets a seed.
  const env = { ...process.env };
  Reflect.deleteProperty(env, 'TEST_SHUFFLE_SEED');
  // A cache folder of its own, empty, for each run. A whole run takes a few minutes; one that hangs
  // is ended with everything it started (`timeout` signals its whole process group) and counts as failed.
  const cache = join(clone, `.jest-cache-${run}`);
  const test = sh('timeout', ['--kill-after=60s', '60m', 'npm', 'test', '--', `--cacheDirectory=${cache}`], seed ? { ...env, TEST_SHUFFLE_SEED: seed } : env);
  const seconds = Math.round((Date.now() - started) / 1000);
  const log = join(logs, `run-${run}.log`);
  writeFileSync(log, `${test.stdout}\n${test.stderr}`);
  const summary = /^Tests:.*$/m.exec(test.stderr)?.[0] ?? 'no summary';
  if (test.status === 0) passed++;
  const outcome = test.status === 0 ? 'passed' : test.status === 124 || test.status === 137 ? 'FAILED (hung: ended after 60 min)' : 'FAILED';
  results.push(`run ${run}: ${outcome} in ${seconds} s, ${seed ? `shuffled (TEST_SHUFFLE_SEED=${seed})` : 'Jest order'}; ${summary}; log ${log}`);
  console.log(results.at(-1));
}
rmSync(clone, { recursive: true, force: true });
console.log(`\n${runs} runs of the whole suite: ${passed} passed, ${runs - passed} failed.`);
process.exitCode = passed === runs ? 0 : 1;
