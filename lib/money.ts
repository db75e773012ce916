import { z } from 'zod';

/**
 * Money is an integer count of minor units (cents). The ceiling keeps every amount and balance
 * exact in JSON and JavaScript numbers; the database holds them as 64-bit integers.
 */
export const MAX_MINOR_UNITS = Number.MAX_SAFE_INTEGER;

export const amountSchema = z
  .number({ error: 'must be a number of minor units' })
  .int('must be a whole number of minor units')
  .positive('must be greater than zero')
  .max(MAX_MINOR_UNITS, `must be at most ${MAX_MINOR_UNITS}`)
  .meta({ description: 'Minor units (cents) of the shop currency', examples: [1200] });
