import { EventEmitter } from 'node:events';
import { listen } from '../../../lib/database/listen.ts';
import type { Logger } from '../../../lib/logger.ts';
import { ORDER_STATUS_CHANNEL } from './complete-order.ts';
import type { OrderJson } from './orders.ts';

export interface OrderStatusChange {
  userId: string;
  order: OrderJson;
}

// Not a user id: user ids are visible ASCII without spaces.
const CLOSED = 'events closed';

/**
 * Every order status change, from any process, as PostgreSQL delivers it on the status channel:
 * one LISTEN connection per orders process, fanned out to its subscribers by user.
 */
export class OrderEvents {
  private readonly emitter = new EventEmitter().setMaxListeners(0);
  private readonly listener: { close: () => Promise<void> };

  constructor(databaseUrl: string, logger: Logger) {
    this.listener = listen(
      databaseUrl,
      ORDER_STATUS_CHANNEL,
      (payload) => {
        if (!payload) return;
        const change = JSON.parse(payload) as OrderStatusChange;
        this.emitter.emit(change.userId, change.order);
      },
      logger,
    );
  }

  /**
   * Calls `onOrder` for each change of one of the user's orders, until the returned function is
   * called; `onClose` when the events stop for good (the service is shutting down).
   */
  subscribe(userId: string, onOrder: (order: OrderJson) => void, onClose: () => void): () => void {
    this.emitter.on(userId, onOrder);
    this.emitter.on(CLOSED, onClose);
    return () => {
      this.emitter.off(userId, onOrder);
      this.emitter.off(CLOSED, onClose);
    };
  }

  /** Ends every subscription, so open streams finish and the server can close. */
  async close(): Promise<void> {
    this.emitter.emit(CLOSED);
    await this.listener.close();
  }
}
