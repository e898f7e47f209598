/** Token counts and cost in the short form terminals show: 950, 12.3k, 1.2M; $0.042. */
import { formatBudgetUsd } from '../../engine/budget/format-usd.js';
import type { StepUsage } from '../../engine/events.js';

export function formatTokens(count: number): string {
  if (count < 1_000) return String(count);
  if (count < 1_000_000) return `${(count / 1_000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

/** `12.3k in / 1.2k out` for a table cell. */
export function usageCell(usage: StepUsage | undefined): string {
  return usage ? `${formatTokens(usage.inputTokens)}/${formatTokens(usage.outputTokens)}` : '-';
}

/** `$0.042` for a table cell; `unknown` when the tokens' model has no price; `-` without usage. */
export function costCell(usage: StepUsage | undefined): string {
  if (!usage) return '-';
  if (usage.costUsd === undefined) return usage.inputTokens + usage.outputTokens > 0 ? 'unknown' : '-';
  return `${formatBudgetUsd(usage.costUsd)}${usage.costUnknown ? '+?' : ''}`;
}

/** `12.3k input and 1.2k output tokens, $0.042` for the run's last line. */
export function usageSentence(usage: StepUsage): string {
  const cached = usage.cachedInputTokens ? ` (${formatTokens(usage.cachedInputTokens)} cached)` : '';
  const cost =
    usage.costUsd !== undefined
      ? `, ${formatBudgetUsd(usage.costUsd)}${usage.costUnknown ? ' (some tokens cost unknown)' : ''}`
      : usage.inputTokens + usage.outputTokens > 0
        ? ', cost unknown'
        : '';
  return `${formatTokens(usage.inputTokens)} input${cached} and ${formatTokens(usage.outputTokens)} output tokens${cost}`;
}
