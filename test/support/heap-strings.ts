import { readFileSync, rmSync } from 'node:fs';
import { writeHeapSnapshot } from 'node:v8';
import { tempDir } from './temp-dir.js';

/**
 * Which of the given strings are still held anywhere in this process's heap (a snapshot forces a full GC),
 * as their indexes. The caller keeps them as bytes: holding the strings themselves between two snapshots
 * would keep them alive.
 */
export function stillInHeap(needles: readonly Buffer[]): number[] {
  const file = writeHeapSnapshot(`${tempDir()}/process.heapsnapshot`);
  try {
    const { strings } = JSON.parse(readFileSync(file, 'utf8')) as { strings: string[] };
    const held = new Set(strings);
    return needles.flatMap((needle, index) => (held.has(needle.toString()) ? [index] : []));
  } finally {
    rmSync(file, { force: true });
  }
}
