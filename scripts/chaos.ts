// `npm run chaos`: the whole system as `npm start` runs it, orders flowing for many users while
// every kind of process is killed in turn and PostgreSQL and Temporal restart; then the books.
import { runChaos } from '../test/helpers/chaos.ts';
import { startSystem } from '../test/helpers/system.ts';

const orders = Number(process.env.CHAOS_ORDERS ?? 1_000);
const system = await startSystem({ label: 'chaos' });
try {
  console.log(`Chaos: ${orders} orders for 50 users at 12/s, a fault every 4 s...`);
  const tally = await runChaos(system, { users: 50, orders, rate: 12, faultEveryMs: 4_000, say: console.log });
  console.log({ ...tally, faults: tally.faults.length });
  const clean = tally.lost === 0 && tally.doubled === 0 && tally.unbalancedUsers === 0 && tally.negativeBalances === 0 && tally.unpublishedOutbox === 0;
  console.log(clean ? 'The books balance: lost = 0, doubled = 0.' : 'THE BOOKS DO NOT BALANCE.');
  process.exitCode = clean ? 0 : 1;
} finally {
  await system.stop();
}
