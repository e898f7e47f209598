/**
 * Which runs the extension follows step by step over the stream: every unfinished run plus the newest
 * few, within the server's per-connection subscription cap. Pure, so it is unit-tested.
 */
import { effectiveStatus, type RunEntry } from './runs-model.js';

const finished: ReadonlySet<string> = new Set(['succeeded', 'failed', 'cancelled']);

export function runsToFollow(entries: readonly RunEntry[], newest: number, cap: number): string[] {
  const chosen = new Set<string>();
  for (const entry of entries) {
    if (!finished.has(effectiveStatus(entry))) chosen.add(entry.summary.runId);
  }
  for (const entry of entries.slice(0, newest)) chosen.add(entry.summary.runId);
  return [...chosen].slice(0, cap);
}
