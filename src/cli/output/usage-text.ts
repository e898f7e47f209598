/** Token counts and cost in the short form terminals show: 950, 12.3k, 1.2M; $0.042. */
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

/** `12.3k input and 1.2k output tokens, $0.042` for the run's last line. */
export function usageSentence(usage: StepUsage): string {
  const cached = usage.cachedInputTokens ? ` (${formatTokens(usage.cachedInputTokens)} cached)` : '';
  const cost =
    usage.costUsd !== undefined
      ? `, $${usage.costUsd < 0.1 ? usage.costUsd.toFixed(3) : usage.costUsd.toFixed(2)}`
      : '';
  return `${formatTokens(usage.inputTokens)} input${cached} and ${formatTokens(usage.outputTokens)} output tokens${cost}`;
}
