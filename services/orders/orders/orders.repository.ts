import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { HttpProblem } from '../../../lib/http/problem.ts';
import { currentTraceparent, inSpan } from '../../../lib/telemetry/trace-context.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';
import { OUTBOX_CHANNEL, PAYMENT_REQUESTED } from '../outbox/outbox-message.entity.ts';
import { Order, type OrderStatus } from './order.entity.ts';
import type { orderPageSchema, orderSchema, placeOrderRequestSchema } from './order.schemas.ts';

export type OrderJson = z.infer<typeof orderSchema>;
export type OrderPage = z.infer<typeof orderPageSchema>;

export function toOrderJson(order: Order): OrderJson {
  return {
    id: order.id,
    amount: order.amount,
    currency: order.currency,
    description: order.description,
    status: order.status,
    failureReason: order.failureReason ?? null,
    createdAt: order.createdAt.toISOString(),
    updatedAt: order.updatedAt.toISOString(),
  };
}

/**
 * Writes the order and the outbox message that asks for its payment, and wakes the relay, in one
 * statement: atomic like a transaction (data-modifying CTEs run whole or not at all), so there is
 * never an order without its payment request, nor a request without its order, and one round trip
 * where BEGIN, two inserts, the NOTIFY and COMMIT took five. The NOTIFY is delivered at commit, and
 * only if it commits. Times come from the application's clock, to the millisecond, as the ORM
 * writes them (lib/database/timestamps.ts): the page cursor keeps milliseconds.
 */
export async function placeOrder(
  em: EntityManager,
  userId: string,
  request: z.infer<typeof placeOrderRequestSchema>,
  context: { currency: string; requestId: string },
): Promise<OrderJson> {
  const { currency, requestId } = context;
  const id = randomUUID();
  return inSpan('place order', { orderId: id }, async () => {
    const now = new Date().toISOString();
    const payload: PaymentRequest = { orderId: id, userId, amount: request.amount, currency, requestId };
    await em.execute(
      `with placed as (
         insert into orders (id, user_id, amount, currency, description, status, failure_reason, created_at, updated_at)
         values (?, ?, ?, ?, ?, ?, null, ?, ?)
       ), requested as (
         insert into outbox_messages (type, aggregate_id, payload, attempts, next_attempt_at, created_at, traceparent)
         values (?, ?, ?, 0, ?, ?, ?)
       )
       select pg_notify(?, ?)`,
      [
        ...[id, userId, request.amount, currency, request.description, 'NEW' satisfies OrderStatus, now, now],
        // This span's traceparent: the relay's span is its child, across the outbox.
        ...[PAYMENT_REQUESTED, id, JSON.stringify(payload), now, now, currentTraceparent()],
        ...[OUTBOX_CHANNEL, id],
      ],
    );
    const order: OrderJson = { id, amount: request.amount, currency, description: request.description, status: 'NEW', failureReason: null, createdAt: now, updatedAt: now };
    return order;
  });
}

export async function findOrder(em: EntityManager, userId: string, orderId: string): Promise<Order> {
  // Someone else's order is as absent as one that does not exist, and so is a malformed id.
  const order = UUID.test(orderId) ? await em.findOne(Order, { id: orderId, userId }) : null;
  if (!order) throw new HttpProblem(404, 'no-order', 'There is no such order.');
  return order;
}

/** The user's orders, newest first, a page at a time; the cursor is where the last page ended. */
export async function listOrders(em: EntityManager, userId: string, limit: number, cursor?: string): Promise<OrderPage> {
  const after = cursor === undefined ? undefined : decodeCursor(cursor);
  const orders = await em.find(
    Order,
    after
      ? { userId, $or: [{ createdAt: { $lt: after.createdAt } }, { createdAt: after.createdAt, id: { $lt: after.id } }] }
      : { userId },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: limit + 1 },
  );
  const page = orders.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(toOrderJson),
    nextCursor: orders.length > limit && last ? encodeCursor(last) : null,
  };
}

function encodeCursor(order: Order): string {
  return Buffer.from(JSON.stringify([order.createdAt.toISOString(), order.id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString()) as [unknown, unknown];
    if (typeof createdAt !== 'string' || !ISO_TIME.test(createdAt)) throw new Error('bad cursor');
    const date = new Date(createdAt);
    if (typeof id !== 'string' || !UUID.test(id) || Number.isNaN(date.getTime())) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new HttpProblem(400, 'invalid-cursor', 'The cursor is not one this API gave out.');
  }
}

/**
 * A time as toISOString() writes it, in the years 1970 to 9999: every time this service writes,
 * and always one PostgreSQL can hold, also less a margin (it refuses year 0 and JavaScript's
 * six-digit years).
 */
export const ISO_TIME = /^(19[7-9]\d|[2-9]\d{3})-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * The user's orders that left NEW at `since` or later, oldest change first: what an event stream
 * that reconnects may have missed.
 */
export async function ordersChangedSince(em: EntityManager, userId: string, since: Date, limit: number): Promise<OrderJson[]> {
  const orders = await em.find(Order, { userId, status: { $ne: 'NEW' }, updatedAt: { $gte: since } }, { orderBy: { updatedAt: 'asc', id: 'asc' }, limit });
  return orders.map(toOrderJson);
}
