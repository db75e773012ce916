import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import type { TemporalConnection } from '../../lib/temporal/connection-config.ts';
import * as activities from './noop.activities.ts';
import { noopPayment } from './noop.workflow.ts';

/**
 * The same workflow shape (start + two activities in sequence) with no-op activities, started
 * straight from a Temporal client on the same server: what Temporal alone carries here.
 */
export async function measureCeiling(temporal: TemporalConnection, count: number): Promise<{ workflows: number; perSecond: number; seconds: number }> {
  Runtime.install({ logger: new DefaultLogger('WARN') });
  const connection = await NativeConnection.connect(temporal.options);
  const clientConnection = await Connection.connect(temporal.options);
  const client = new Client({ connection: clientConnection, namespace: temporal.namespace });
  const taskQueue = `ceiling-${randomUUID()}`;
  const worker = await Worker.create({
    connection,
    namespace: temporal.namespace,
    taskQueue,
    workflowsPath: fileURLToPath(new URL('./noop.workflow.ts', import.meta.url)),
    activities,
  });
  try {
    return await worker.runUntil(async () => {
      await client.workflow.execute(noopPayment, { taskQueue, workflowId: `ceiling-warm-up-${randomUUID()}` });
      const started = Date.now();
      const handles = await Promise.all(
        Array.from({ length: count }, () => client.workflow.start(noopPayment, { taskQueue, workflowId: `ceiling-${randomUUID()}` })),
      );
      await Promise.all(handles.map((handle) => handle.result()));
      const seconds = (Date.now() - started) / 1000;
      return { workflows: count, perSecond: Math.round((count / seconds) * 10) / 10, seconds: Math.round(seconds * 10) / 10 };
    });
  } finally {
    await clientConnection.close();
    await connection.close();
  }
}
