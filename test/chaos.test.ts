import { runChaos } from '../harness/chaos.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';
import { expectBalancedBooks } from './helpers/chaos-tally.ts';

// The small version of `npm run chaos`: every kind of fault lands at least once while orders flow.
let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem({ label: 'chaos-test' });
}, 180_000);
afterAll(() => system.stop());

test('with every kind of fault landing while orders flow, nothing is lost and nothing doubled', async () => {
  const tally = await runChaos(system, { users: 10, orders: 80, rate: 4, faultEveryMs: 1_500, faultRounds: 1, say: () => undefined });
  expectBalancedBooks(tally, 80);
}, 300_000);
