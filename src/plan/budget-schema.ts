/** The `budget:` field of a plan, a step and the configuration: dollars, tokens, or both. */
import { z } from 'zod';

export const budgetSchema = z
  .strictObject({
    usd: z
      .number({ error: 'usd is a number of US dollars, such as 5 or 0.50' })
      .positive('usd must be more than 0')
      .max(1_000_000, 'usd must be at most 1000000')
      .optional(),
    tokens: z
      .number({ error: 'tokens is a whole number of tokens, such as 2000000' })
      .int('tokens must be a whole number')
      .positive('tokens must be more than 0')
      .max(1e12, 'tokens must be at most 1000000000000')
      .optional(),
  })
  .refine((budget) => budget.usd !== undefined || budget.tokens !== undefined, {
    error: 'a budget needs usd:, tokens: or both, e.g. { usd: 5 }',
  });
