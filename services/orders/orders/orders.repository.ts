import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { z } from 'zod';
import { HttpProblem } from '../../../lib/http/problem.ts';
import { currentTraceparent, inSpan } from '../../../lib/telemetry/trace-context.ts';
import type { PaymentRequest } from '../../../workflows/payment.types.ts';
import { OUTBOX_CHANNEL, OutboxMessage, PAYMENT_REQUESTED } from '../outbox/outbox-message.entity.ts';
import { Order } from './order.entity.ts';
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
 * Writes the order and the outbox message that asks for its payment in one transaction, so
 * there is never an order without its payment request, nor a request without its order.
 */
export async function placeOrder(
  em: EntityManager,
  userId: string,
  request: z.infer<typeof placeOrderRequestSchema>,
  context: { currency: string; requestId: string },
): Promise<Order> {
  const { currency, requestId } = context;
  const id = randomUUID();
  return inSpan('place order', { orderId: id }, () => em.transactional(async (tx) => {
    const order = tx.create(Order, {
      id,
      userId,
      amount: request.amount,
      currency,
      description: request.description,
      status: 'NEW',
      failureReason: null,
    });
    const payload: PaymentRequest = { orderId: order.id, userId, amount: order.amount, currency, requestId };
    tx.create(OutboxMessage, {
      type: PAYMENT_REQUESTED,
      aggregateId: order.id,
      payload,
      attempts: 0,
      nextAttemptAt: new Date(),
      lastError: null,
      publishedAt: null,
      deadAt: null,
      // This span's: the relay's span is its child, across the outbox.
      traceparent: currentTraceparent(),
    });
    await tx.flush();
    // Delivered at commit, and only if it commits: wakes the relay at once.
    await tx.execute('select pg_notify(?, ?)', [OUTBOX_CHANNEL, order.id]);
    return order;
  }));
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
