/**
 * The top-level `{…}` spans of a text whose braces balance outside strings, in order, up to `limit`: how a
 * JSON object is found in a model's answer (the planner's plan, a reviewer's vote) without repairing it.
 */
export function balancedObjects(text: string, limit = Number.POSITIVE_INFINITY): string[] {
  const found: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  let escaped = false;
  for (let index = 0; index < text.length && found.length < limit; index++) {
    const char = text[index];
    if (inString) {
      if (escaped) escaped = false;
      else if (char === '\\') escaped = true;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"' && depth > 0) inString = true;
    else if (char === '{') {
      if (depth === 0) start = index;
      depth++;
    } else if (char === '}' && depth > 0) {
      depth--;
      if (depth === 0) found.push(text.slice(start, index + 1));
    }
  }
  return found;
}
