import { runChaos } from '../harness/chaos.ts';
import { startSystem, type RunningSystem } from '../harness/system.ts';

// The small version of `npm run chaos`: every kind of fault lands at least once while orders flow.
let system: RunningSystem;
beforeAll(async () => {
  system = await startSystem({ label: 'chaos-test' });
}, 180_000);
afterAll(() => system.stop());

test('with every kind of fault landing while orders flow, nothing is lost and nothing doubled', async () => {
  const tally = await runChaos(system, { users: 10, orders: 80, rate: 4, faultEveryMs: 2_000, faultRounds: 1, say: () => undefined });
  expect(Object.entries(tally.faults).filter(([, count]) => count === 0)).toEqual([]);
  expect(tally.ordersAccepted).toBe(80);
  // The eight answers the client dropped on purpose, and any lost to a fault.
  expect(tally.replayed).toBeGreaterThanOrEqual(8);
  expect(tally).toMatchObject({ lost: 0, doubled: 0, stillNew: 0, unknownToClient: 0, wrongAmounts: 0, strayDebits: 0, unbalancedUsers: 0, negativeBalances: 0, unpublishedOutbox: 0 });
  expect(tally.paid).toBeGreaterThan(0);
  expect(tally.cancelled).toBeGreaterThan(0);
}, 300_000);
