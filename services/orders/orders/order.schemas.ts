import { z } from 'zod';
import { amountSchema } from '../../../lib/money.ts';
import { storableText } from '../../../lib/storable-text.ts';
import { FAILURE_REASONS } from '../../payments/payment-outcomes.ts';
import { ORDER_STATUSES } from './order.entity.ts';

export const placeOrderRequestSchema = z.object({
  amount: amountSchema,
  description: storableText().trim().min(1, 'must not be empty').max(500, 'must be at most 500 characters'),
}).meta({ id: 'PlaceOrderRequest' });

export const listOrdersQuerySchema = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const orderSchema = z.object({
  id: z.uuid(),
  amount: z.number().int().positive(),
  currency: z.string().length(3),
  description: z.string(),
  status: z.enum(ORDER_STATUSES),
  failureReason: z.enum(FAILURE_REASONS).nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
}).meta({ id: 'Order' });

export const orderPageSchema = z.object({
  items: z.array(orderSchema),
  nextCursor: z.string().nullable(),
}).meta({ id: 'OrderPage' });

/**
 * The `Last-Event-ID` a reconnecting client sends: the id of the last event it saw (the time of
 * that change). The gateway passes on only what fits this; the service reads the time from it.
 */
export const lastEventIdSchema = z.string().regex(/^[\x21-\x7e]{1,64}$/, 'expected up to 64 visible ASCII characters');
