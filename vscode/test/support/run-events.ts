import type { RunEvent } from '../../../src/engine/events.js';
import { replayEvents } from '../../../src/engine/projection.js';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { parsePlanText } from '../../../src/plan/load-plan.js';
import type { RunState, RunSummary, WireEvent } from '../../src/api/api-types.js';

/** A two-step shell plan's `run.created`, parsed by the real plan loader. */
export function createdEvent(runId: string, at = 1_000): RunEvent {
  const plan = parsePlanText(
    'name: demo\nsteps:\n  - { id: build, agent: shell, run: "true" }\n  - { id: test, agent: shell, run: "true", needs: [build] }\n',
    'plan.yaml',
    { agents: agentCatalogOf(['shell']) },
  );
  return {
    type: 'run.created',
    runId,
    seq: 1,
    at,
    data: { plan, workspace: '/ws', planFile: 'plan.yaml', concurrency: 2, failFast: false },
  };
}

export function snapshotOf(runId: string, events: readonly RunEvent[] = []): RunState {
  const state = replayEvents([createdEvent(runId), ...events]);
  if (!state) throw new Error('no state');
  return state;
}

export function summaryOf(runId: string, status: string, lastSeq = 1, createdAt = 1_000): RunSummary {
  return {
    runId,
    name: 'demo',
    workspace: '/ws',
    status,
    stepCount: 2,
    createdAt,
    updatedAt: createdAt,
    startedAt: null,
    finishedAt: null,
    lastSeq,
  };
}

/** Wire events (no runId) numbered from `firstSeq`. */
export function wire(firstSeq: number, ...bodies: Array<Pick<WireEvent, 'type' | 'data'>>): WireEvent[] {
  return bodies.map((body, index) => ({ ...body, seq: firstSeq + index, at: 2_000 + index }) as WireEvent);
}
