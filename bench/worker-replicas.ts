import { startBenchSystem } from './mode.ts';
import { placeOrders, warmedUpBenchUsers, type OrderRun } from './place-orders.ts';

/**
 * Under the cluster mode: the saga bench's burst again, on a cluster that runs one copy of each
 * worker and of the relay (CLUSTER_WORKER_REPLICAS=1) rather than two, everything else alike.
 */
export async function burstWithOneWorkerReplica(users: number, burst: number): Promise<OrderRun> {
  const system = await startBenchSystem('bench-saga-one-worker', { CLUSTER_WORKER_REPLICAS: '1' });
  try {
    const tokens = await warmedUpBenchUsers(system, users);
    return (await placeOrders(system, tokens, burst, 0)).run;
  } finally {
    await system.stop();
  }
}
