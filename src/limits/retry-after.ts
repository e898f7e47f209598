/**
 * When a rate-limited request may be retried, from the response headers: `retry-after-ms` (the OpenAI and
 * Anthropic SDK extension), `retry-after` (seconds or an HTTP date), then the OpenAI-style
 * `x-ratelimit-reset-requests` / `-tokens` durations (`1s`, `6m0s`, `20ms`) and the `x-ratelimit-reset`
 * some routers send (epoch seconds or milliseconds). Returns epoch milliseconds, or undefined.
 */

/** A reset this far away is a misread header, not a plan: the engine's own backoff is better. */
const maxWaitMs = 24 * 60 * 60_000;

export interface HeaderSource {
  get(name: string): string | null;
}

export function parseRetryAfter(headers: HeaderSource, now: number): number | undefined {
  const candidates = [
    fromMilliseconds(headers.get('retry-after-ms'), now),
    fromRetryAfter(headers.get('retry-after'), now),
    fromRateLimitResets(headers, now),
    fromEpochOrSeconds(headers.get('x-ratelimit-reset'), now),
  ];
  const found = candidates.find((value) => value !== undefined);
  if (found === undefined) return undefined;
  return Math.min(Math.max(found, now), now + maxWaitMs);
}

function fromMilliseconds(value: string | null, now: number): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  return now + Math.ceil(Number(value));
}

function fromRetryAfter(value: string | null, now: number): number | undefined {
  if (value === null || value.trim() === '') return undefined;
  if (/^\s*\d+(\.\d+)?\s*$/.test(value)) return now + Math.ceil(Number(value) * 1_000);
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : date;
}

/**
 * OpenAI sends both resets; the one whose budget is spent is the one that matters. When the remaining
 * counts do not say, the later reset is the safe choice.
 */
function fromRateLimitResets(headers: HeaderSource, now: number): number | undefined {
  const requests = parseGoDuration(headers.get('x-ratelimit-reset-requests'));
  const tokens = parseGoDuration(headers.get('x-ratelimit-reset-tokens'));
  const spent = (name: string): boolean => headers.get(name)?.trim() === '0';
  if (requests !== undefined && spent('x-ratelimit-remaining-requests')) return now + requests;
  if (tokens !== undefined && spent('x-ratelimit-remaining-tokens')) return now + tokens;
  if (requests === undefined && tokens === undefined) return undefined;
  return now + Math.max(requests ?? 0, tokens ?? 0);
}

function fromEpochOrSeconds(value: string | null, now: number): number | undefined {
  if (value === null || !/^\s*\d+(\.\d+)?\s*$/.test(value)) return undefined;
  const number = Number(value);
  if (number > 1e12) return number;
  if (number > 1e9) return number * 1_000;
  return now + Math.ceil(number * 1_000);
}

/** Durations such as `1h2m3.5s`, `6m0s`, `20ms`, `0.5s`, or a bare number of seconds; in milliseconds. */
export function parseGoDuration(value: string | null): number | undefined {
  if (value === null) return undefined;
  const text = value.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.ceil(Number(text) * 1_000);
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(text)) return undefined;
  const factors: Record<string, number> = {
    h: 3_600_000,
    m: 60_000,
    s: 1_000,
    ms: 1,
    us: 1e-3,
    µs: 1e-3,
    ns: 1e-6,
  };
  let total = 0;
  for (const match of text.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += Number(match[1]) * (factors[match[2] ?? 's'] ?? 0);
  }
  return Math.ceil(total);
}

/** The same, as a delay from `now` in milliseconds, from fetch `Headers` or a plain header record. */
export function retryAfterMs(
  headers: Headers | Record<string, string | undefined>,
  now: number,
): number | undefined {
  const source: HeaderSource =
    headers instanceof Headers
      ? headers
      : { get: (name) => headers[name] ?? headers[name.toLowerCase()] ?? null };
  const at = parseRetryAfter(source, now);
  return at === undefined ? undefined : at - now;
}
