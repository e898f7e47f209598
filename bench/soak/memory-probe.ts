/**
 * Loaded into the soak's server with `--import` when `npm run soak -- --probe <file>` is given: every few
 * seconds it appends one JSON line with the server's own view of its memory (heap, external, array buffers),
 * which /proc cannot show. Investigation aid only; the product never loads it.
 */
import { appendFileSync, readdirSync, readFileSync } from 'node:fs';
import { getHeapSpaceStatistics, getHeapStatistics } from 'node:v8';

/** Fields of /proc/self/smaps_rollup and status, in kB: anonymous vs file-backed resident memory. */
function procKb(file: string, field: string): number {
  const text = readFileSync(file, 'utf8');
  return Number(new RegExp(`^${field}:\\s+(\\d+)`, 'm').exec(text)?.[1] ?? Number.NaN);
}

const file = process.env.SOAK_PROBE_FILE;
const everyMs = Number(process.env.SOAK_PROBE_EVERY_MS ?? '5000');
/**
 * Resident kB of glibc's malloc arenas: the main one (`[heap]`, grown with brk) and the others (mappings
 * that start on a 64 MB boundary, glibc's HEAP_MAX_SIZE alignment for thread arenas).
 */
function arenaKb(): { brkKb: number; arenasKb: number } {
  let brkKb = 0;
  let arenasKb = 0;
  let current: 'brk' | 'arena' | undefined;
  for (const line of readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const range = /^([0-9a-f]+)-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (range) {
      const start = BigInt(`0x${range[1]}`);
      if (range[2] === '[heap]') current = 'brk';
      else if (range[2] === '' && start % 0x4000000n === 0n) current = 'arena';
      else current = undefined;
      continue;
    }
    const rss = /^Rss:\s+(\d+)/.exec(line);
    if (rss && current === 'brk') brkKb += Number(rss[1]);
    if (rss && current === 'arena') arenasKb += Number(rss[1]);
  }
  return { brkKb, arenasKb };
}

if (file) {
  const started = Date.now();
  // With `--expose-gc` and SOAK_PROBE_GC=1: a full collection before each sample, so what is left is
  // memory something still holds (or the allocator keeps), not garbage V8 has not collected yet.
  const collect = process.env.SOAK_PROBE_GC === '1' ? globalThis.gc : undefined;
  const timer = setInterval(() => {
    collect?.();
    const usage = process.memoryUsage();
    const sample = {
      t: Math.round((Date.now() - started) / 1_000),
      rssKb: procKb('/proc/self/status', 'VmRSS'),
      anonKb: procKb('/proc/self/smaps_rollup', 'Anonymous'),
      fileKb: procKb('/proc/self/smaps_rollup', 'Rss') - procKb('/proc/self/smaps_rollup', 'Anonymous'),
      ...arenaKb(),
      fds: readdirSync('/proc/self/fd').length,
      threads: procKb('/proc/self/status', 'Threads'),
      heapUsed: usage.heapUsed,
      heapTotal: usage.heapTotal,
      external: usage.external,
      arrayBuffers: usage.arrayBuffers,
      handles: process.getActiveResourcesInfo().length,
      mallocedKb: Math.round(getHeapStatistics().malloced_memory / 1_024),
      // Committed kB of each V8 space: which part of heapTotal grows.
      spacesKb: Object.fromEntries(
        getHeapSpaceStatistics().map((space) => [space.space_name, Math.round(space.space_size / 1_024)]),
      ),
      // Live kB in each V8 space: data something holds, as against room V8 keeps committed.
      spacesUsedKb: Object.fromEntries(
        getHeapSpaceStatistics().map((space) => [
          space.space_name,
          Math.round(space.space_used_size / 1_024),
        ]),
      ),
    };
    appendFileSync(file, `${JSON.stringify(sample)}\n`);
  }, everyMs);
  timer.unref();
}
