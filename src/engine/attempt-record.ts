/** An agent's final answer as the log keeps it: capped, the transcript file has the rest. */

/** Final answers are kept in the log up to this size; the transcript file has the rest. */
export const maxOutputChars = 16_000;

export function capText(text: string, max: number): string {
  return text.length <= max
    ? text
    : `${text.slice(0, max)}\n[… ${text.length - max} more characters in the transcript]`;
}
