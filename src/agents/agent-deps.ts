/** What every adapter gets from the composition root. */
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { ProcessRegistry } from './process/process-registry.js';

export interface AgentDeps {
  clock: Clock;
  logger: Logger;
  /** The orchestrator's environment; adapters pass on only what their allow-list names. */
  environment: Readonly<Record<string, string | undefined>>;
  maxLogBytes: number;
  killGraceMs: number;
  /** Where long-lived agent processes are recorded, so a later orchestrator can reap them after a crash. */
  processes: ProcessRegistry;
  /** Workspace to pre-warm processes in (steps in other directories get their own). */
  workspace: string;
}

/** Environment tag of processes that serve steps of one run/step/attempt (see the shell agent). */
export const stepTagName = 'AI_COLLAB_PROCESS_TAG';
/** Environment tag of long-lived pooled processes: `<owner pid>.<owner start time>/<agent>`. */
export const poolTagName = 'AI_COLLAB_POOL_TAG';
