// `npm run chaos`: the whole system as `npm start` runs it, orders flowing for many users while
// every kind of process is killed in turn, PostgreSQL both stopped and crashed, and Temporal
// restarted; then the books, against the client's own record. With --cluster, the system as
// `npm run start:cluster` runs it: one copy of each program and each Temporal server in turn are killed.
import { runChaos } from '../harness/chaos.ts';
import { startSystem } from '../harness/system.ts';

const orders = Number(process.env.CHAOS_ORDERS ?? 1_000);
const cluster = process.argv.includes('--cluster');
const system = await startSystem({ label: cluster ? 'chaos-cluster' : 'chaos', cluster });
try {
  console.log(`Chaos: ${orders} orders for 50 users at 12/s, a fault every 4 s...`);
  const tally = await runChaos(system, { users: 50, orders, rate: 12, faultEveryMs: 4_000, say: console.log });
  console.log(tally);
  const problems = [tally.lost, tally.doubled, tally.unknownToClient, tally.wrongAmounts, tally.strayDebits, tally.unbalancedUsers, tally.negativeBalances, tally.unpublishedOutbox];
  const clean = problems.every((count) => count === 0) && Object.values(tally.faults).every((count) => count > 0);
  console.log(clean ? 'The books balance: lost = 0, doubled = 0.' : 'THE BOOKS DO NOT BALANCE.');
  process.exitCode = clean ? 0 : 1;
} finally {
  await system.stop();
}
