/**
 * What every pooled adapter (claude, codex app-server, ACP) gives its process pool: the agent's configured
 * sizes and limits, and one crash policy for all of them.
 */
import type { AgentSpec } from '../agent-spec.js';
import type { PoolOptions } from './process-pool.js';

export function agentPoolOptions(spec: AgentSpec, killGraceMs: number): PoolOptions {
  return {
    name: spec.name,
    size: spec.pool.size,
    prewarm: spec.pool.prewarm,
    maxUses: spec.pool.maxUses,
    maxAgeMs: spec.pool.maxAgeMs,
    maxMemoryBytes: spec.pool.maxMemoryBytes,
    idleTimeoutMs: spec.pool.idleTimeoutMs,
    restartInitialMs: 500,
    restartMaxMs: 30_000,
    crashLimit: 5,
    crashWindowMs: 60_000,
    killGraceMs,
    superviseEveryMs: 1_000,
  };
}
