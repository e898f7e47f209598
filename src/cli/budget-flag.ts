/** `--budget` on run, plan and resume: dollars, tokens, or both. */
import { InvalidArgumentError } from 'commander';
import type { Budget } from '../protocol/plan-types.js';

const usage =
  'expected dollars (8, $8, 2.50usd), tokens (2Mtokens, 500ktokens) or both (usd=8,tokens=2M), each more than 0';

const multipliers: Record<string, number> = { '': 1, k: 1_000, m: 1_000_000 };

export function parseBudgetFlag(value: string): Budget {
  const budget: Budget = {};
  for (const raw of value.split(',')) {
    const part = raw.trim().toLowerCase();
    const dollars = /^(?:usd=)?\$?(\d+(?:\.\d+)?)(?:\s*(?:usd|\$))?$/.exec(part);
    const tokens = /^(?:tokens=(\d+(?:\.\d+)?)([km]?)|(\d+(?:\.\d+)?)([km]?)\s*tokens?)$/.exec(part);
    if (dollars?.[1] !== undefined && budget.usd === undefined) {
      budget.usd = Number(dollars[1]);
      if (!(budget.usd > 0)) throw new InvalidArgumentError(usage);
    } else if (tokens && budget.tokens === undefined) {
      const count = Number(tokens[1] ?? tokens[3]) * (multipliers[tokens[2] ?? tokens[4] ?? ''] ?? 1);
      if (!(count >= 1) || !Number.isFinite(count)) throw new InvalidArgumentError(usage);
      budget.tokens = Math.round(count);
    } else {
      throw new InvalidArgumentError(usage);
    }
  }
  return budget;
}
