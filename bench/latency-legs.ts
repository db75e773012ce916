import { Client, Connection } from '@temporalio/client';
import proto, { type google, type temporal } from '@temporalio/proto';
import pg from 'pg';
import type { RunningSystem } from '../harness/system.ts';
import type { TemporalConnection } from '../lib/temporal/connection-config.ts';
import { paymentWorkflowId } from '../workflows/names.ts';
import { percentile } from './percentile.ts';

// A CommonJS package: its namespaces come through the default import.
const EventType = proto.temporal.api.enums.v1.EventType;
// An event time in milliseconds (its seconds arrive as a Long, which Number reads through its text).
const msOf = (time?: google.protobuf.Timestamp.$Properties | null) => (time ? Number(time.seconds ?? 0) * 1000 + (time.nanos ?? 0) / 1e6 : Number.NaN);

/** The legs of an order's way from its commit to its final status, in order. */
export const LEGS = {
  relay: 'order committed → workflow started (relay wake-up, start accepted)',
  toDebit: 'workflow started → debit started (first workflow task, dispatch)',
  debit: 'debit started → debit completed (the payments transaction)',
  toComplete: 'debit completed → completeOrder started (workflow task, dispatch)',
  complete: 'completeOrder started → order final (the orders transaction)',
} as const;
export type Leg = keyof typeof LEGS;

/**
 * Where the time of final orders went, from timestamps already kept: the order's own row
 * (created_at at insert, updated_at when completeOrder set its status) and its workflow's
 * history (event times the server wrote). Every clock is this machine's.
 */
export async function latencyLegs(system: RunningSystem, temporal: TemporalConnection, orderIds: string[]): Promise<Record<Leg, { p50Ms: number; p99Ms: number }>> {
  const orders = new pg.Client({ connectionString: system.postgresUrl('orders') });
  const connection = await Connection.connect(temporal.options);
  await orders.connect();
  try {
    const { rows } = await orders.query<{ id: string; created: Date; updated: Date }>(
      'select id, created_at as created, updated_at as updated from orders where id = any($1)',
      [orderIds],
    );
    const client = new Client({ connection, namespace: temporal.namespace });
    const legs: Record<Leg, number[]> = { relay: [], toDebit: [], debit: [], toComplete: [], complete: [] };
    for (const row of rows) {
      const { events } = await client.workflow.getHandle(paymentWorkflowId(row.id)).fetchHistory();
      const timeOf = (type: temporal.api.enums.v1.EventType, nth = 0) => msOf(events?.filter((event) => event.eventType === type)[nth]?.eventTime);
      const started = timeOf(EventType.EVENT_TYPE_WORKFLOW_EXECUTION_STARTED);
      const debitStarted = timeOf(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED);
      const debitCompleted = timeOf(EventType.EVENT_TYPE_ACTIVITY_TASK_COMPLETED);
      const completeStarted = timeOf(EventType.EVENT_TYPE_ACTIVITY_TASK_STARTED, 1);
      legs.relay.push(started - row.created.getTime());
      legs.toDebit.push(debitStarted - started);
      legs.debit.push(debitCompleted - debitStarted);
      legs.toComplete.push(completeStarted - debitCompleted);
      legs.complete.push(row.updated.getTime() - completeStarted);
    }
    const summary = (values: number[]) => {
      const sorted = [...values].sort((a, b) => a - b);
      return { p50Ms: percentile(sorted, 50), p99Ms: percentile(sorted, 99) };
    };
    return Object.fromEntries(Object.entries(legs).map(([leg, values]) => [leg, summary(values)])) as Record<Leg, { p50Ms: number; p99Ms: number }>;
  } finally {
    await orders.end();
    await connection.close();
  }
}
