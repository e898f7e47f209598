/** A run's budget as its log and the store keep it: a raise appended to a run no process executes, and past spend. */

import { isSameProcessAlive } from '../../agents/process/proc-table.js';
import type { Budget } from '../../protocol/plan-types.js';
import type { EventStore, OwnerIdentity, RunRecord } from '../../store/event-store.js';
import type { Clock } from '../../support/clock.js';
import { InputError } from '../../support/errors.js';
import { hasEnded, type RunState } from '../run-state.js';
import type { SpendHistory } from './forecast.js';
import { mergeBudget } from './spend.js';

/**
 * Appends `run.budget-set` to a run that no live process executes (paused at its budget, or interrupted),
 * only while its status is unchanged; throws an InputError saying why not otherwise.
 */
export function appendBudgetSet(
  deps: { store: EventStore; clock: Clock },
  runId: string,
  input: {
    change: Budget;
    by: string;
    load(): RunState;
  },
): void {
  const record = deps.store.getRun(runId);
  if (!record) throw new InputError('RUN_NOT_FOUND', `no run ${runId}; see ai-collab runs`);
  if (hasEnded(record.status)) {
    throw new InputError('RUN_NOT_RESUMABLE', `run ${runId} already ended (${record.status})`);
  }
  if (record.status === 'awaiting_approval') {
    throw new InputError(
      'RUN_NOT_RESUMABLE',
      `run ${runId} waits for approval; edit the plan's budget: when you approve it`,
    );
  }
  const executor = executedBy(deps, record);
  if (executor) {
    throw new InputError(
      'RUN_OWNED',
      `run ${runId} is being executed by process ${executor.pid} on ${executor.host}; set its budget there (its dashboard or MCP)`,
    );
  }
  const budget = mergeBudget(input.load().budget, input.change);
  const stored = deps.store.appendWhile(
    runId,
    record.status,
    { type: 'run.budget-set', at: deps.clock.now(), data: { budget, by: input.by } },
    {},
  );
  if (!stored) throw new InputError('RUN_OWNED', `run ${runId} changed just now; try again`);
}

/**
 * The process executing the run elsewhere, if one is: a live lease's holder, or (for a run last executed
 * by an ai-collab from before leases) its owner while that process still runs here.
 */
function executedBy(deps: { store: EventStore; clock: Clock }, record: RunRecord): OwnerIdentity | undefined {
  const lease = deps.store.leases.get(record.runId);
  if (lease) return lease.expiresAt > deps.clock.now() ? lease.owner : undefined;
  return record.owner && isSameProcessAlive(record.owner) ? record.owner : undefined;
}

/**
 * Past spend per agent and action, read once per key for one forecast or one run (a run adds its own
 * steps' spend as it goes), so a long-lived server never forecasts from a stale history.
 */
export function spendHistoryOf(store: Pick<EventStore, 'recentSpend'>): SpendHistory {
  const cache = new Map<string, ReturnType<EventStore['recentSpend']>>();
  return (agent, action) => {
    const key = `${agent}\u0000${action}`;
    let samples = cache.get(key);
    if (!samples) {
      samples = store.recentSpend(agent, action, 50);
      cache.set(key, samples);
    }
    return samples;
  };
}
