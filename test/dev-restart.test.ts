import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Child } from '../supervisor/child.ts';
import { until } from './helpers/eventually.ts';

// `npm run dev`: a source saved with a mistake makes its program die at each start, waiting longer
// each time (up to 30 s). Saving the fix restarts it at once, not when that wait is over.

test('a program dying of a broken source starts at once when the source is fixed, whatever its backoff', async () => {
  const folder = mkdtempSync(join(tmpdir(), 'shop-dev-restart-'));
  const source = join(folder, 'source');
  writeFileSync(source, 'fine');
  const lines: string[] = [];
  const child = new Child(
    {
      name: 'edited',
      command: process.execPath,
      args: ['-e', `if (require('fs').readFileSync(${JSON.stringify(source)}, 'utf8') !== 'fine') process.exit(1); console.log('running'); process.send({ ready: true }); setInterval(() => {}, 1000);`],
      env: { PATH: process.env.PATH },
      readiness: 'nothing',
      readyTimeoutMs: 30_000,
    },
    (line) => lines.push(line),
  );
  try {
    await child.start(Date.now() + 30_000);
    writeFileSync(source, 'broken');
    child.restart();
    // Dies after 0.5, 1, 2 and 4 s: the next try waits 8 s.
    await until(() => lines.some((line) => line.includes('restarting in 8000 ms')), 'the fifth restart waiting 8 s', 30_000);
    writeFileSync(source, 'fine');
    const fixedAt = Date.now();
    child.restart();
    await until(() => lines.filter((line) => line.includes('running')).length === 2, 'the fixed program running');
    expect(Date.now() - fixedAt).toBeLessThan(2_000);
  } finally {
    await child.stop();
    rmSync(folder, { recursive: true, force: true });
  }
}, 30_000);
