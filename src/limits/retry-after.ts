/**
 * When a rate-limited API says to come back: `retry-after-ms`, then `retry-after` (seconds or an HTTP
 * date), then OpenAI's `x-ratelimit-reset-requests` / `-tokens` ("1s", "6m0s", "20ms"). Undefined when the
 * response does not say, so the caller backs off on its own.
 */
export function retryAfterMs(
  headers: Headers | Record<string, string | undefined>,
  now: number,
): number | undefined {
  const get = (name: string): string | undefined =>
    headers instanceof Headers
      ? (headers.get(name) ?? undefined)
      : (headers[name] ?? headers[name.toLowerCase()]);
  const milliseconds = Number(get('retry-after-ms'));
  if (get('retry-after-ms') !== undefined && Number.isFinite(milliseconds) && milliseconds >= 0)
    return milliseconds;
  const retryAfter = get('retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds) && seconds >= 0) return seconds * 1_000;
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  const resets = ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']
    .map((name) => parseGoDuration(get(name)))
    .filter((value): value is number => value !== undefined);
  return resets.length > 0 ? Math.max(...resets) : undefined;
}

/** Durations like "1s", "6m0s", "1h2m3.5s", "20ms" (Go's time.Duration text, which OpenAI sends). */
export function parseGoDuration(text: string | undefined): number | undefined {
  if (!text) return undefined;
  const units: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
  let total = 0;
  let matched = '';
  for (const part of text.matchAll(/(\d+(?:\.\d+)?)(ms|h|m|s)/g)) {
    total += Number(part[1]) * (units[part[2] as string] ?? 0);
    matched += part[0];
  }
  return matched === text.trim() && matched !== '' ? Math.round(total) : undefined;
}
