/**
 * On start, stops the pool processes of orchestrators that are no longer alive (killed, crashed, power
 * cut) and forgets them. A process is only signalled if its pid, start time and boot all still match.
 */
import type { Clock } from '../../support/clock.js';
import { killProcessTree } from './kill-tree.js';
import { isSameProcessAlive, readBootId } from './proc-table.js';
import type { ProcessRegistry } from './process-registry.js';

export async function reapOrphanedProcesses(
  registry: ProcessRegistry,
  clock: Clock,
  graceMs: number,
): Promise<number> {
  const bootId = readBootId();
  let reaped = 0;
  for (const entry of registry.list()) {
    const ownerAlive = isSameProcessAlive({
      pid: entry.ownerPid,
      startTime: entry.ownerStartTime,
      bootId: entry.bootId,
    });
    if (ownerAlive) continue;
    if (entry.bootId === bootId) {
      await killProcessTree(entry, { clock, graceMs });
      reaped++;
    }
    registry.remove(entry);
  }
  return reaped;
}
