import { z } from 'zod';
import { amountSchema } from '../../../lib/money.ts';

export const depositRequestSchema = z.object({ amount: amountSchema }).meta({ id: 'DepositRequest' });

export const accountSchema = z.object({
  userId: z.string(),
  balance: z.number().int().min(0),
  currency: z.string().length(3),
}).meta({ id: 'Account' });
