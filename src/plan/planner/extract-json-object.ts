/**
 * The one tolerance granted to a model's plan: the JSON object may sit in a code fence or between words.
 * Nothing is repaired (no trailing-comma fixing, no quote guessing): a broken object fails validation and
 * the planner is asked again with the errors.
 */
import { balancedObjects } from '../../support/balanced-objects.js';

export function extractJsonObject(text: string): string | undefined {
  const trimmed = text.trim().replace(/^\uFEFF/, '');
  const fenced = /```(?:json|JSON)?\s*\n([\s\S]*?)\n?```/.exec(trimmed);
  const candidate = fenced?.[1]?.trim() ?? trimmed;
  if (candidate.startsWith('{') && isJson(candidate)) return candidate;
  return balancedObjects(candidate, 1)[0];
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}
