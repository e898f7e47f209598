/**
 * The one tolerance granted to a model's plan: the JSON object may sit in a code fence or between words.
 * Nothing is repaired (no trailing-comma fixing, no quote guessing): a broken object fails validation and
 * the planner is asked again with the errors.
 */
export function extractJsonObject(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\uFEFF/, '');
  const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/.exec(trimmed);
  const candidate = fenced?.[1]?.trim() ?? trimmed;
  if (candidate.startsWith('{') && isJson(candidate)) return candidate;
  return firstBalancedObject(candidate);
}

/** The first `{…}` whose braces balance outside strings. */
export function firstBalancedObject(text: string): string | undefined {
  const start = text.indexOf('{');
  if (start < 0) return undefined;
  let depth = 0;
  let inString = false;
  let escaped = false;
  for (let index = start; index < text.length; index++) {
    const char = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') inString = true;
    else if (char === '{') depth++;
    else if (char === '}' && --depth === 0) return text.slice(start, index + 1);
  }
  return undefined;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
