import type { IncomingHttpHeaders } from 'node:http';

// Recorded requests end up in test output and notes, so credentials are masked. Their presence (and
// which header carried them) is what tests assert on, not their value.
const secretHeaders = new Set([
  'authorization',
  'x-api-key',
  'x-goog-api-key',
  'api-key',
  'cookie',
  'proxy-authorization',
]);

export function redactHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const text = Array.isArray(value) ? value.join(', ') : value;
    result[name] = secretHeaders.has(name) ? `<redacted ${text.length} chars>` : text;
  }
  return result;
}

/** The API-key query parameter Gemini clients may use is masked the same way. */
export function redactPath(path: string): string {
  return path.replace(/([?&]key=)[^&]*/, '$1<redacted>');
}
