import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { TemporalConnection } from '../../lib/temporal/connection-config.ts';
import { percentile } from '../percentile.ts';
import { first, second } from './noop.activities.ts';
import { noopPayment } from './noop.workflow.ts';

export interface BareTemporal {
  /** Throughput: `burst` workflows started at once, until all are done. */
  ceiling: { workflows: number; perSecond: number; seconds: number };
  /** Latency: `sequential` workflows one after another, each from start to result. */
  latency: { workflows: number; p50Ms: number; p95Ms: number; p99Ms: number };
}

/**
 * The payment's shape (a start, then two activities in sequence on two task queues served by
 * two workers, as the payments and orders workers do) with no-op activities, started straight
 * from a Temporal client on the same server: what Temporal alone costs and carries here.
 */
export async function measureBareTemporal(temporal: TemporalConnection, counts: { burst: number; sequential: number }): Promise<BareTemporal> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect(temporal.options);
  const clientConnection = await Connection.connect(temporal.options);
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const [taskQueue, secondTaskQueue] = [`bare-${randomUUID()}`, `bare-second-${randomUUID()}`];
  const workflowWorker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop.workflow.ts', import.meta.url)),
    activities: { first },
  });
  const secondWorker = await Worker.create({ connection, namespace: temporal.namespace, taskQueue: secondTaskQueue, activities: { second } });
  const run = () => client.workflow.execute(noopPayment, { taskQueue, workflowId: `bare-${randomUUID()}`, args: [secondTaskQueue] });
  try {
    return await secondWorker.runUntil(
      workflowWorker.runUntil(async () => {
        await run();
        const durations: number[] = [];
        for (let index = 0; index < counts.sequential; index++) {
          const started = performance.now();
          await run();
          durations.push(performance.now() - started);
        }
        const started = Date.now();
        const handles = await Promise.all(
          Array.from({ length: counts.burst }, () => client.workflow.start(noopPayment, { taskQueue, workflowId: `bare-${randomUUID()}`, args: [secondTaskQueue] })),
        );
        await Promise.all(handles.map((handle) => handle.result()));
        const seconds = (Date.now() - started) / 1000;
        durations.sort((a, b) => a - b);
        return {
          ceiling: { workflows: counts.burst, perSecond: Math.round((counts.burst / seconds) * 10) / 10, seconds: Math.round(seconds * 10) / 10 },
          latency: { workflows: counts.sequential, p50Ms: percentile(durations, 50), p95Ms: percentile(durations, 95), p99Ms: percentile(durations, 99) },
        };
      }),
    );
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}
