/** Durations in plans: `250ms`, `30s`, `5m`, `1h`, or a plain number of milliseconds. */

const unitMs = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000 } as const;
const durationPattern = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;

export const maxDurationMs = 7 * 24 * 3_600_000;

export type DurationParse = { ok: true; ms: number } | { ok: false; reason: string };

export interface DurationRules {
  /** Zero is refused (a timeout of 0 would end every attempt at once). */
  positive?: boolean;
}

export function parseDuration(value: unknown, rules: DurationRules = {}): DurationParse {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) return { ok: false, reason: `${value} is not a duration` };
    return checkRange(Math.round(value), String(value), rules);
  }
  if (typeof value !== 'string')
    return { ok: false, reason: 'a duration is a string like "30s" or a number' };
  const match = durationPattern.exec(value.trim());
  if (!match) {
    return {
      ok: false,
      reason: `"${value}" is not a duration; write it as 250ms, 30s, 5m, 1h or milliseconds`,
    };
  }
  const amount = Number(match[1]);
  const unit = match[2] as keyof typeof unitMs;
  return checkRange(Math.round(amount * unitMs[unit]), `"${value}"`, rules);
}

function checkRange(ms: number, shown: string, rules: DurationRules): DurationParse {
  // Also catches what rounds to nothing: 0.4, "0.0001s", or 1e-400 (which YAML and JSON read as 0).
  if (rules.positive && ms <= 0)
    return { ok: false, reason: `${shown} is not a positive duration; give at least 1ms, e.g. 30s or 5m` };
  if (ms > maxDurationMs) return { ok: false, reason: `${shown} is longer than the maximum of 7 days` };
  return { ok: true, ms };
}
