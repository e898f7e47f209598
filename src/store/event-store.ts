/**
 * The store contract: an append-only event log per run, a run index kept beside it (a projection cache
 * written in the same transaction), the durations history that feeds critical-path estimates, and who
 * executes each run (its lease).
 */
import type { RunLeases } from './run-leases.js';

export interface StoredEvent {
  runId: string;
  /** Position in the run's log, from 1, without gaps. */
  seq: number;
  type: string;
  /** Epoch ms. */
  at: number;
  data: unknown;
}

export interface OwnerIdentity {
  pid: number;
  startTime: string;
  bootId: string;
  host: string;
}

export interface RunRecord {
  runId: string;
  name: string;
  workspace: string;
  planFile: string | null;
  status: string;
  stepCount: number;
  createdAt: number;
  updatedAt: number;
  /** When it first began running; after the approval wait, so "took" does not count it. */
  startedAt: number | null;
  finishedAt: number | null;
  owner: OwnerIdentity | null;
  lastSeq: number;
  /** Its work was applied or discarded after it ended (applied wins), from its log; null while neither. */
  landing: 'applied' | 'discarded' | null;
}

/** Changes to a run's index row that travel with an event. */
export interface RunRecordPatch {
  status?: string;
  finishedAt?: number | null;
  owner?: OwnerIdentity | null;
  /** `discarded` does not replace `applied`: the runs list shows that the work landed. */
  landing?: 'applied' | 'discarded';
}

export interface DurationSample {
  agent: string;
  action: string;
  durationMs: number;
  finishedAt: number;
  /** What the step cost, when known (feeds the cost forecast shown before approval). */
  costUsd?: number;
  /** Input plus output tokens of the step, when reported. */
  tokens?: number;
}

/** What one past successful step of an agent and action spent; null where it was not known. */
export interface SpendSample {
  costUsd: number | null;
  tokens: number | null;
}

export interface StoreWrite {
  event: StoredEvent;
  run?: RunRecordPatch;
  duration?: DurationSample;
}

/** A long-lived process some orchestrator started, kept so a later one can stop it after a crash. */
export interface ProcessRow {
  bootId: string;
  pid: number;
  startTime: string;
  pgid: number;
  ownerPid: number;
  ownerStartTime: string;
  tag: string;
  agent: string;
}

export interface EventStore {
  /** Where the store lives (the database file), named in errors about what it holds. */
  readonly location: string;
  /** Creates the run's index row and its first events, durably, before anything runs. */
  createRun(
    record: Omit<RunRecord, 'lastSeq' | 'updatedAt' | 'startedAt' | 'landing'>,
    firstEvents: StoredEvent | readonly StoredEvent[],
  ): void;
  /** Buffers a write; it becomes durable with the next group commit. */
  enqueue(write: StoreWrite): void;
  /** Resolves once every write enqueued so far is committed (and fsynced). */
  flush(): Promise<void>;
  /**
   * Calls `callback` once every write enqueued so far is committed, synchronously right after the commit
   * (no other code runs in between, so what it shows is exactly what is durable), or with the error when
   * that commit fails.
   */
  afterCommit(callback: (error?: unknown) => void): void;
  /**
   * Takes ownership of a run: succeeds only if the recorded owner is still `expected` (compare and
   * swap), so two processes cannot both resume the same run.
   */
  claimRun(runId: string, expected: OwnerIdentity | null, owner: OwnerIdentity): boolean;
  getRun(runId: string): RunRecord | undefined;
  /**
   * Newest first. With `changedAfter` (a `runsRevision()` seen earlier), only the runs whose row changed
   * since: a poller reads what changed, not the whole list.
   */
  listRuns(options?: { workspace?: string; limit?: number; changedAfter?: number }): RunRecord[];
  /**
   * A number that grows with every change to any run's row (new run, status, last seq, owner), by any
   * process on this store: unchanged means no run changed. Cheap enough to ask every second.
   */
  runsRevision(): number;
  readEvents(runId: string, afterSeq?: number): Iterable<StoredEvent>;
  /** Most recent durations of successful steps for an agent and action, newest first. */
  recentDurations(agent: string, action: string, limit: number): number[];
  /** Most recent spend of successful steps for an agent and action, newest first. */
  recentSpend(agent: string, action: string, limit: number): SpendSample[];
  /**
   * Appends `event` as the next in the run's log, with its index change, in one transaction — only while the
   * run's indexed status is `status` (compare and swap). Any process may call it for a run another owns,
   * so it is meant for a run whose owner writes nothing meanwhile (one waiting for approval). Returns the
   * stored event, or undefined when the status had changed. With `lastSeq`, also only while nothing was
   * appended after that seq (the caller decided from the log as it was then).
   */
  appendWhile(
    runId: string,
    status: string,
    event: Pick<StoredEvent, 'type' | 'at' | 'data'>,
    patch: RunRecordPatch,
    lastSeq?: number,
  ): StoredEvent | undefined;
  /** Who executes each run, until when (run ownership as a lease). */
  readonly leases: RunLeases;
  addProcess(row: ProcessRow): void;
  removeProcess(identity: { bootId: string; pid: number; startTime: string }): void;
  listProcesses(): ProcessRow[];
  close(): void;
}
