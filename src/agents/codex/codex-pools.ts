/**
 * The agent's app-server pools, one per step environment. A server's environment is fixed when it starts,
 * so a step with its own `env` cannot share the agent's pool; it gets (or reuses) a pool whose servers were
 * started with exactly that environment, instead of falling back to a cold `codex exec` per step. Steps
 * without `env` share the agent's own pool, the only one that pre-warms.
 */
import { createHash } from 'node:crypto';
import type { AgentDeps } from '../agent-deps.js';
import type { ProcessPool } from '../pool/process-pool.js';
import type { CodexAppServerWorker } from './codex-app-server-worker.js';
import { codexEnvironment } from './codex-environment.js';
import { type CodexPool, createCodexPool } from './codex-pool.js';
import type { CodexSpec } from './codex-spec.js';

export class CodexPools {
  readonly #spec: CodexSpec;
  readonly #deps: AgentDeps;
  readonly #overrides: () => readonly string[];
  readonly #pools = new Map<string, CodexPool>();

  constructor(spec: CodexSpec, deps: AgentDeps, overrides: () => readonly string[]) {
    this.#spec = spec;
    this.#deps = deps;
    this.#overrides = overrides;
  }

  /** The pool whose servers run with this step environment (the agent's own pool for none). */
  for(stepEnv: Readonly<Record<string, string>> = {}): ProcessPool<CodexAppServerWorker> {
    const key = environmentKey(stepEnv);
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
