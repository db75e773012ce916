import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { createInterface } from 'node:readline';
import { sampleProcesses } from '../bench/process-stats.ts';
import { programNamed } from '../supervisor/programs.ts';

// The bench's CPU of a program is the difference of two samples of its process tree. PostgreSQL
// serves each connection in a backend of its own, and backends end between samples: their CPU
// must still count, or the difference undercounts (on the bench's burst it even read negative).
// Here a stand-in for PostgreSQL (named so by its command line) runs short-lived children that
// burn CPU and end, as backends do; the difference of two samples must hold what they burned.

const CHILDREN = 4;
const BURN_MS = 250;

// Each child burns BURN_MS of CPU (of CPU, not of the clock: the machine may be busy) and prints the CPU it used; the parent waits for every one
// (as PostgreSQL's postmaster waits for its backends), prints their total, and stays alive.
const burner = `
const cpu = () => { const used = process.cpuUsage(); return (used.user + used.system) / 1e6; };
while (cpu() < ${BURN_MS / 1000});
console.log(cpu());
`;
const parent = `
const { execFile } = require('node:child_process');
const burn = () => new Promise((resolve, reject) => execFile(process.execPath, ['-e', ${JSON.stringify(burner)}], (error, out) => (error ? reject(error) : resolve(Number(out)))));
console.log('ready');
process.stdin.once('data', async () => {
  let burned = 0;
  for (let child = 0; child < ${CHILDREN}; child++) burned += await burn();
  console.log('burned ' + burned);
  process.stdin.once('data', () => process.exit(0));
});
`;

test("a program's CPU holds that of its children that ended between two samples", async () => {
  const standIn = spawn(process.execPath, ['-e', parent, programNamed('postgres').entry], { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = createInterface({ input: standIn.stdout })[Symbol.asyncIterator]();
  const nextLine = async () => String((await lines.next()).value);
  try {
    expect(await nextLine()).toBe('ready');
    const cpuOfStandIn = () => sampleProcesses(process.pid).find((sample) => sample.name === 'postgres')?.cpuSeconds ?? Number.NaN;
    const before = cpuOfStandIn();
    standIn.stdin.write('go\n');
    const burned = Number((await nextLine()).replace('burned ', ''));
    const after = cpuOfStandIn();
    expect(burned).toBeGreaterThanOrEqual((CHILDREN * BURN_MS) / 1000);
    // Each process's CPU is counted in clock ticks (of 10 ms, commonly): one tick of slack for each.
    expect(after - before).toBeGreaterThanOrEqual(burned - CHILDREN * 0.01);
  } finally {
    standIn.stdin.end('done\n');
    await once(standIn, 'exit');
  }
});
