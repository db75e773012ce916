import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);
const rules = fileURLToPath(new URL('../ops/prometheus/alerts.yml', import.meta.url));
const ruleTests = fileURLToPath(new URL('../ops/prometheus/alerts.test.yml', import.meta.url));

// promtool comes with Debian's prometheus package (`apt-get install prometheus`).
test('the shipped alert rules are valid Prometheus rules', async () => {
  const { stdout } = await run('promtool', ['check', 'rules', rules]);
  expect(stdout).toContain('SUCCESS');
});

test('each alert fires when it should, and only then (promtool test rules)', async () => {
  const { stdout } = await run('promtool', ['test', 'rules', ruleTests]);
  expect(stdout).toContain('SUCCESS');
});
