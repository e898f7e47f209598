/** What every adapter gets from the composition root. */
import type { ProviderLimiter } from '../limits/provider-limiter.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import type { AgentSpec } from './agent-spec.js';
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
  /**
   * The process-wide rate limiter of the provider an API agent calls, shared with the reviewers that call
   * the same provider; absent for agents that are not rate limited here.
   */
  limiterFor?(spec: AgentSpec): ProviderLimiter | undefined;
}

/** Environment tag of processes that serve steps of one run/step/attempt (see the shell agent). */
export const stepTagName = 'AI_COLLAB_PROCESS_TAG';
/** Environment tag of long-lived pooled processes: `<owner pid>.<owner start time>/<agent>`. */
export const poolTagName = 'AI_COLLAB_POOL_TAG';
