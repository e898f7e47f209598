/**
 * What the Runs view shows, kept as a pure fold over the stream's messages: the runs list from `runs` /
 * `run-updated`, and for followed runs their state from a `snapshot` moved forward by `events` with the
 * engine's own reducer (the same projection the server and the dashboard run). Free of the vscode API,
 * so it is unit-tested in Node.
 */
import type { RunEvent } from '../../../src/engine/events.js';
import { applyEvent } from '../../../src/engine/projection.js';
import type { RunState, RunSummary, ServerMessage, WireEvent } from '../api/api-types.js';

export interface RunEntry {
  summary: RunSummary;
  state?: RunState;
}

/** What a message changed, for the view, the status bar and the approval notification. */
export interface ModelChange {
  /** Runs whose row or steps changed. */
  changed: string[];
  /** Runs that entered `awaiting_approval` with this message (or were first seen in it). */
  awaitingApproval: string[];
  /** Runs whose events did not continue the state held: ask the server again from the last seq. */
  resync: string[];
  /** The runs list was replaced. */
  listReplaced: boolean;
}

export class RunsModel {
  readonly #runs = new Map<string, RunEntry>();

  get(runId: string): RunEntry | undefined {
    return this.#runs.get(runId);
  }

  /** Newest first. */
  list(): RunEntry[] {
    return [...this.#runs.values()].sort((a, b) => b.summary.createdAt - a.summary.createdAt);
  }

  lastSeq(runId: string): number | undefined {
    return this.#runs.get(runId)?.state?.lastSeq;
  }

  apply(message: ServerMessage): ModelChange {
    const change: ModelChange = { changed: [], awaitingApproval: [], resync: [], listReplaced: false };
    switch (message.type) {
      case 'runs': {
        const seen = new Set<string>();
        for (const summary of message.runs) {
          seen.add(summary.runId);
          this.#updateSummary(summary, change);
        }
        for (const runId of [...this.#runs.keys()]) if (!seen.has(runId)) this.#runs.delete(runId);
        change.listReplaced = true;
        break;
      }
      case 'run-updated':
        this.#updateSummary(message.run, change);
        break;
      case 'snapshot':
        this.#replaceState(message.runId, message.state, change);
        break;
      case 'events':
        this.#applyEvents(message.runId, message.events, change);
        break;
      case 'hello':
      case 'live':
      case 'error':
        break;
    }
    return change;
  }

  #updateSummary(summary: RunSummary, change: ModelChange): void {
    const entry = this.#runs.get(summary.runId);
    const before = entry ? effectiveStatus(entry) : undefined;
    if (entry) entry.summary = summary;
    else this.#runs.set(summary.runId, { summary });
    this.#noteChange(summary.runId, before, change);
  }

  #replaceState(runId: string, state: RunState, change: ModelChange): void {
    const entry = this.#runs.get(runId);
    const before = entry ? effectiveStatus(entry) : undefined;
    if (entry) entry.state = state;
    else this.#runs.set(runId, { summary: summaryOf(state), state });
    this.#noteChange(runId, before, change);
  }

  #applyEvents(runId: string, events: readonly WireEvent[], change: ModelChange): void {
    const entry = this.#runs.get(runId);
    const state = entry?.state;
    if (!entry || !state) {
      change.resync.push(runId);
      return;
    }
    const fresh = events.filter((event) => event.seq > state.lastSeq);
    if (fresh.length === 0) return;
    if (fresh[0]?.seq !== state.lastSeq + 1) {
      change.resync.push(runId);
      return;
    }
    const before = effectiveStatus(entry);
    for (const event of fresh) applyEvent(state, { ...event, runId } as RunEvent);
    this.#noteChange(runId, before, change);
  }

  #noteChange(runId: string, before: string | undefined, change: ModelChange): void {
    const entry = this.#runs.get(runId);
    if (!entry) return;
    change.changed.push(runId);
    const after = effectiveStatus(entry);
    if (after === 'awaiting_approval' && before !== 'awaiting_approval') change.awaitingApproval.push(runId);
  }
}

/** The state's status when the state is at least as new as the summary, else the summary's. */
export function effectiveStatus(entry: RunEntry): string {
  const { state, summary } = entry;
  return state && state.lastSeq >= summary.lastSeq ? state.status : summary.status;
}

function summaryOf(state: RunState): RunSummary {
  return {
    runId: state.runId,
    name: state.name,
    workspace: state.workspace,
    status: state.status,
    stepCount: state.order.length,
    createdAt: state.createdAt,
    updatedAt: state.createdAt,
    startedAt: state.startedAt ?? null,
    finishedAt: state.finishedAt ?? null,
    lastSeq: state.lastSeq,
    counts: { ...state.counts },
  };
}
