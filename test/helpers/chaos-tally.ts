import { expect } from '@jest/globals';
import type { ChaosTally } from '../../harness/chaos.ts';

/** What a small chaos run in `npm test` must end with: every kind of fault landed while orders were in flight, and the books balance. */
export function expectBalancedBooks(tally: ChaosTally, orders: number): void {
  expect(Object.entries(tally.faults).filter(([, count]) => count === 0)).toEqual([]);
  expect(tally.faultsAfterOrders).toBe(0);
  expect(tally.ordersAccepted).toBe(orders);
  // The answers the client dropped on purpose (every tenth), and any lost to a fault.
  expect(tally.replayed).toBeGreaterThanOrEqual(orders / 10);
  expect(tally).toMatchObject({ lost: 0, doubled: 0, stillNew: 0, unknownToClient: 0, wrongAmounts: 0, strayDebits: 0, unbalancedUsers: 0, negativeBalances: 0, unpublishedOutbox: 0 });
  expect(tally.paid).toBeGreaterThan(0);
  expect(tally.cancelled).toBeGreaterThan(0);
}
