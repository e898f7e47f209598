/**
 * Preloaded (`node --import`) into one extra, untimed CLI run of Part 3: sums the time the process spends
 * inside `ChildProcess.prototype.spawn` (where node forks and execs each child, on the main thread) and
 * notes when the first child started, then writes both as JSON to the file in BENCH_SPAWN_TIMES on exit.
 * Only this process is measured: its children do not inherit the preload.
 */
import { ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';

const target = process.env.BENCH_SPAWN_TIMES;
if (target) {
  const spawnOf = ChildProcess.prototype.spawn;
  const times = { spawns: 0, spawnMs: 0, firstSpawnAtMs: -1 };
  ChildProcess.prototype.spawn = function timedSpawn(...args) {
    const started = performance.now();
    try {
      return spawnOf.apply(this, args);
    } finally {
      times.spawns++;
      times.spawnMs += performance.now() - started;
      // performance.now() counts from the start of this process.
      if (times.firstSpawnAtMs < 0) times.firstSpawnAtMs = started;
    }
  };
  process.on('exit', () => writeFileSync(target, JSON.stringify(times)));
}
