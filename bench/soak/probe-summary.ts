/**
 * Reads the memory probe's JSON lines back as one row per minute of the server's life, so a soak run with
 * `--probe` says where its RSS lives and which part moved: anonymous vs file-backed, glibc's main heap and
 * thread arenas, V8's committed heap, and V8's live old space (the lowest use in the minute, i.e. after a
 * collection: data something holds, not garbage waiting for the next one).
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { median } from '../scheduler/stats.js';

const probeLine = z.object({
  t: z.number(),
  rssKb: z.number(),
  anonKb: z.number(),
  fileKb: z.number(),
  brkKb: z.number(),
  arenasKb: z.number(),
  heapTotal: z.number(),
  spacesUsedKb: z.object({ old_space: z.number() }).optional(),
});
type ProbeLine = z.infer<typeof probeLine>;

const mb = (kb: number): string => (kb / 1_024).toFixed(1).padStart(6);

/** One line per minute: medians of RSS and its parts, V8's committed heap, and its live old space. */
export function probeSummary(file: string): string[] {
  const lines = readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => probeLine.parse(JSON.parse(line)));
  const minutes = new Map<number, ProbeLine[]>();
  for (const line of lines) {
    const minute = Math.floor(line.t / 60);
    minutes.set(minute, [...(minutes.get(minute) ?? []), line]);
  }
  const rows = ['  min    rss   anon   file  [heap] arenas v8-heap v8-old-live (MB; medians, live: lowest)'];
  for (const [minute, samples] of minutes) {
    const medianOf = (field: (line: ProbeLine) => number): string => mb(median(samples.map(field)));
    const live = samples.flatMap((line) => (line.spacesUsedKb ? [line.spacesUsedKb.old_space] : []));
    rows.push(
      `  ${String(minute).padStart(3)} ${medianOf((line) => line.rssKb)} ${medianOf((line) => line.anonKb)} ${medianOf((line) => line.fileKb)} ${medianOf((line) => line.brkKb)} ${medianOf((line) => line.arenasKb)} ${medianOf((line) => line.heapTotal / 1_024)} ${live.length === 0 ? '     -' : mb(Math.min(...live))}`,
    );
  }
  return rows;
}
