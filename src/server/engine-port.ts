/**
 * What the server needs from the layers below it: a subset of the engine API and of the store, plus
 * optional live statistics of agent pools, provider limiters and slots for `/metrics`.
 */

import type { PoolStats } from '../agents/pool/process-pool.js';
import type { ClusterSnapshot } from '../distributed/cluster-view.js';
import type { Engine } from '../engine/engine.js';
import type { LimiterStats } from '../limits/provider-limiter.js';
import type { EventStore } from '../store/event-store.js';

/** Exactly the engine calls the server makes, so the API's routes need no wider type than this. */
export type ServerEngine = Pick<
  Engine,
  | 'activeRun'
  | 'decideRun'
  | 'pause'
  | 'resume'
  | 'cancel'
  | 'retryStep'
  | 'setBudget'
  | 'forecast'
  // The moment a run starts executing here, its open feed follows the handle instead of at the next poll.
  | 'onRunStarted'
>;

/** What the server reads; the engine hands it events only once committed, so it serves only those. */
export type ServerStore = Pick<
  EventStore,
  'location' | 'readEvents' | 'getRun' | 'listRuns' | 'runsRevision'
>;

/** Live statistics the process can report; each is read when `/metrics` is scraped. */
export interface RuntimeStats {
  /** Process pools of agents (Claude Code, Codex, ACP…), one entry per pool. */
  pools?(): Array<{ agent: string; stats: PoolStats }>;
  /** Provider rate limiters, by provider key (base URL + the name of the key's variable). */
  limiters?(): Array<{ key: string; stats: LimiterStats }>;
  /** Concurrency slots shared by the runs of this process. */
  slots?(): { inUse: number; capacity: number };
  /** Distributed mode: the workers on the Redis and each agent's queue depth (absent in local mode). */
  cluster?(): Promise<ClusterSnapshot>;
}
