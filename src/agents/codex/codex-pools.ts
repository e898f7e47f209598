/**
 * The agent's app-server pools, one per step environment. A server's environment is fixed when it starts,
 * so a step with its own `env` cannot share the agent's pool; it gets (or reuses) a pool whose servers were
 * started with exactly that environment, instead of falling back to a cold `codex exec` per step. Steps
 * without `env` share the agent's own pool, the only one that pre-warms. An environment's pool serves the
 * steps of one worktree or run and is rarely asked again once they end: left with no step for
 * `envPoolIdleMs`, it is closed (its servers stopped) instead of holding them for the pool's idle timeout.
 */
import { createHash } from 'node:crypto';
import { errorMessage } from '../../support/errors.js';
import type { AgentDeps } from '../agent-deps.js';
import type { ProcessPool } from '../pool/process-pool.js';
import type { CodexAppServerWorker } from './codex-app-server-worker.js';
import { codexEnvironment } from './codex-environment.js';
import { type CodexPool, createCodexPool } from './codex-pool.js';
import type { CodexSpec } from './codex-spec.js';

/** How long a step environment's pool lives on with no step on it. */
export const envPoolIdleMs = 30_000;

export class CodexPools {
  readonly #spec: CodexSpec;
  readonly #deps: AgentDeps;
  readonly #overrides: () => readonly string[];
  readonly #pools = new Map<string, CodexPool>();
  /** Steps running on each environment's pool. */
  readonly #steps = new Map<string, number>();
  /** Cancels the pending close of an environment's pool left with no step. */
  readonly #closing = new Map<string, () => void>();

  constructor(spec: CodexSpec, deps: AgentDeps, overrides: () => readonly string[]) {
    this.#spec = spec;
    this.#deps = deps;
    this.#overrides = overrides;
  }

  /** The pool whose servers run with this step environment (the agent's own pool for none). */
  for(stepEnv: Readonly<Record<string, string>> = {}): ProcessPool<CodexAppServerWorker> {
    return this.#poolOf(environmentKey(stepEnv), stepEnv);
  }

  /**
   * Runs a step on the pool for its environment. An environment's pool (not the agent's own) that the step
   * leaves with no step is closed after `envPoolIdleMs`, unless another step comes first.
   */
  async run<T>(
    stepEnv: Readonly<Record<string, string>>,
    step: (pool: ProcessPool<CodexAppServerWorker>) => Promise<T>,
  ): Promise<T> {
    const key = environmentKey(stepEnv);
    const pool = this.#poolOf(key, stepEnv);
    this.#closing.get(key)?.();
    this.#closing.delete(key);
    this.#steps.set(key, (this.#steps.get(key) ?? 0) + 1);
    try {
      return await step(pool);
    } finally {
      const left = (this.#steps.get(key) ?? 1) - 1;
      if (left > 0) this.#steps.set(key, left);
      else {
        this.#steps.delete(key);
        if (key !== '') this.#closeLater(key);
      }
    }
  }

  #closeLater(key: string): void {
    const cancel = this.#deps.clock.setTimer(envPoolIdleMs, () => {
      this.#closing.delete(key);
      const pool = this.#pools.get(key);
      if (!pool || this.#steps.has(key)) return;
      this.#pools.delete(key);
      pool.close().catch((error: unknown) => {
        this.#deps.logger.warn('closing an idle codex pool failed', {
          agent: this.#spec.name,
          error: errorMessage(error),
        });
      });
    });
    this.#closing.set(key, cancel);
  }

  #poolOf(key: string, stepEnv: Readonly<Record<string, string>>): ProcessPool<CodexAppServerWorker> {
    let pool = this.#pools.get(key);
    if (!pool) {
      const own = key === '';
      pool = createCodexPool(
        // Only the agent's own pool keeps warm spares; a step environment's servers start when asked.
        own ? this.#spec : { ...this.#spec, pool: { ...this.#spec.pool, prewarm: 0 } },
        this.#deps,
        {
          env: codexEnvironment(this.#spec, this.#deps.environment, stepEnv),
          overrides: this.#overrides(),
          ...(!own && { tagSuffix: `env-${key.slice(0, 12)}` }),
        },
      );
      this.#pools.set(key, pool);
    }
    return pool.pool;
  }

  /** The agent's own pool's counters (undefined before any server was asked for). */
  stats(): ReturnType<ProcessPool<CodexAppServerWorker>['stats']> | undefined {
    return this.#pools.get('')?.pool.stats();
  }

  /** How many pools exist: one per distinct step environment seen, plus the agent's own. */
  get size(): number {
    return this.#pools.size;
  }

  async close(): Promise<void> {
    for (const cancel of this.#closing.values()) cancel();
    this.#closing.clear();
    const pools = [...this.#pools.values()];
    this.#pools.clear();
    await Promise.all(pools.map((pool) => pool.close()));
  }
}

/** '' for no step environment; else a digest of its sorted entries (values stay out of map keys and logs). */
function environmentKey(stepEnv: Readonly<Record<string, string>>): string {
  const entries = Object.entries(stepEnv).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  if (entries.length === 0) return '';
  return createHash('sha256').update(JSON.stringify(entries)).digest('hex');
}
