import { listen } from '../../../lib/database/listen.ts';
import type { Logger } from '../../../lib/logger.ts';
import { ORDER_STATUS_CHANNEL } from './complete-order.ts';
import type { OrderJson } from './orders.repository.ts';

export interface OrderStatusChange {
  userId: string;
  order: OrderJson;
}

export interface Subscriber {
  onOrder: (order: OrderJson) => void;
  /** The LISTEN connection is (back) up: changes made while it was down were never announced. */
  onResume: () => void;
  onClose: () => void;
}

/**
 * Every order status change, from any process, as PostgreSQL delivers it on the status channel:
 * one LISTEN connection per orders process, fanned out to its subscribers by user. Subscribers
 * are kept in a Map keyed by user id, never in an EventEmitter or a plain object: a user id is
 * any string a token names, `error`, `newListener` and `__proto__` included.
 */
export class OrderEvents {
  private readonly subscribers = new Map<string, Set<Subscriber>>();
  private readonly listener: { close: () => Promise<void> };
  private readonly logger: Logger;

  constructor(databaseUrl: string, logger: Logger) {
    this.logger = logger;
    this.listener = listen(databaseUrl, ORDER_STATUS_CHANNEL, (payload) => this.deliver(payload), logger);
  }

  /**
   * Calls `onOrder` for each change of one of the user's orders, until the returned function is
   * called; `onResume` each time the LISTEN connection is up again (catch up from the table);
   * `onClose` when the events stop for good (the service is shutting down).
   */
  subscribe(userId: string, subscriber: Subscriber): () => void {
    const ofUser = this.subscribers.get(userId) ?? new Set<Subscriber>();
    this.subscribers.set(userId, ofUser.add(subscriber));
    return () => {
      ofUser.delete(subscriber);
      // A user with no subscriber left is forgotten (else the map keeps every user ever subscribed),
      // unless the user's entry is already a newer one: an unsubscribe called again must not cut it off.
      if (ofUser.size === 0 && this.subscribers.get(userId) === ofUser) this.subscribers.delete(userId);
    };
  }

  /** The subscriptions open now, and how many users they are for: both back to 0 once every subscription has ended. */
  counts(): { subscriptions: number; users: number } {
    let subscriptions = 0;
    for (const ofUser of this.subscribers.values()) subscriptions += ofUser.size;
    return { subscriptions, users: this.subscribers.size };
  }

  /** Ends every subscription, so open streams finish and the server can close. */
  async close(): Promise<void> {
    for (const ofUser of this.subscribers.values()) for (const { onClose } of ofUser) onClose();
    this.subscribers.clear();
    await this.listener.close();
  }

  private deliver(payload: string): void {
    // An empty payload is listen() saying it (re)connected: anything may have been missed.
    if (!payload) {
      for (const ofUser of this.subscribers.values()) for (const { onResume } of ofUser) this.guard(onResume);
      return;
    }
    const change = JSON.parse(payload) as OrderStatusChange;
    for (const { onOrder } of this.subscribers.get(change.userId) ?? []) this.guard(() => onOrder(change.order));
  }

  // One subscriber's failure (a stream already gone) must not keep the news from the others.
  private guard(call: () => void): void {
    try {
      call();
    } catch (error) {
      this.logger.warn({ err: error }, 'an order event could not be delivered');
    }
  }
}
