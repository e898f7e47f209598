/**
 * Whether a run in the store may be continued here: its own module, so that listing runs (`runs`) does not
 * load the engine.
 */
import { isSameProcessAlive } from '../agents/process/proc-table.js';
import type { RunRecord } from '../store/event-store.js';

export function isResumable(run: RunRecord): boolean {
  if (run.status === 'interrupted') return true;
  // `pending`: approved (or created) and not started by anyone alive, e.g. after `approve --detach`.
  if (!['running', 'paused', 'awaiting_approval', 'pending'].includes(run.status)) return false;
  return run.owner === null || !isSameProcessAlive(run.owner);
}
