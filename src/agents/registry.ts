/**
 * Agent name → agent. Names the plan validator accepts come from here too. An agent that was usable when
 * the command started but no longer is (its CLI deleted, its login removed: its usability cache says so)
 * is not handed out; `unavailableReason` then gives doctor's reason and fix.
 */
import type { Unavailable } from './adapter-descriptor.js';
import type { Agent } from './agent.js';
import type { UsabilityCache } from './usability-cache.js';

/** How an unusable agent is described everywhere (pre-flight, a failed step, the planner): doctor's words. */
export function unusableAgentMessage(name: string, unavailable: Unavailable): string {
  return `agent "${name}" cannot run: ${unavailable.reason}; ${unavailable.fix}`;
}

export class AgentRegistry {
  #agents = new Map<string, Agent>();
  /** Names that are known but cannot run here, with the reason shown to the user. */
  #unavailable = new Map<string, string>();
  #timeouts = new Map<string, number>();
  #fallbacks = new Map<string, readonly string[]>();
  #models = new Map<string, string>();
  /** Agents with something to check before each attempt (a CLI, credentials); shell has nothing. */
  #usability = new Map<string, UsabilityCache>();

  register(
    name: string,
    agent: Agent,
    options: { timeoutMs?: number; model?: string; usability?: UsabilityCache | undefined } = {},
  ): this {
    this.#agents.set(name, agent);
    this.#unavailable.delete(name);
    if (options.timeoutMs !== undefined) this.#timeouts.set(name, options.timeoutMs);
    if (options.model !== undefined) this.#models.set(name, options.model);
    if (options.usability) this.#usability.set(name, options.usability);
    else this.#usability.delete(name);
    return this;
  }

  /** The model the agent is configured with (`model:`), which prices its tokens when it names none. */
  modelOf(name: string): string | undefined {
    return this.#models.get(name);
  }

  /** The agent's configured step timeout, used when a step sets none. */
  timeoutOf(name: string): number | undefined {
    return this.#timeouts.get(name);
  }

  /** Agents that take over this agent's steps when it is parked, unusable or crash-looping (config `fallback`). */
  setFallback(name: string, fallback: readonly string[]): this {
    this.#fallbacks.set(name, fallback);
    return this;
  }

  fallbackOf(name: string): readonly string[] {
    return this.#fallbacks.get(name) ?? [];
  }

  markUnavailable(name: string, reason: string): this {
    if (!this.#agents.has(name)) this.#unavailable.set(name, reason);
    return this;
  }

  /** The agent, when it can run here (as last checked, within the cache's validity). */
  get(name: string): Agent | undefined {
    const agent = this.#agents.get(name);
    return agent !== undefined && this.#usability.get(name)?.current() === undefined ? agent : undefined;
  }

  /** Before an attempt: the agent when doctor's check, made now, says it can still run here. */
  recheck(name: string): Agent | undefined {
    this.#usability.get(name)?.refresh();
    return this.get(name);
  }

  unavailableReason(name: string): string | undefined {
    const known = this.#unavailable.get(name);
    if (known !== undefined || !this.#agents.has(name)) return known;
    const unusable = this.#usability.get(name)?.current();
    return unusable && unusableAgentMessage(name, unusable);
  }

  has(name: string): boolean {
    return this.#agents.has(name) || this.#unavailable.has(name);
  }

  /** Starts pre-warmed processes of every agent that has them, in the background of the first step. */
  async warmAll(names?: Iterable<string>): Promise<void> {
    const wanted = names ? new Set(names) : undefined;
    await Promise.all(
      [...this.#agents.entries()]
        .filter(([name]) => !wanted || wanted.has(name))
        .map(([, agent]) => agent.warm?.().catch(() => {})),
    );
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.#agents.values()].map((agent) => agent.close?.()));
  }

  names(): string[] {
    return [...new Set([...this.#agents.keys(), ...this.#unavailable.keys()])].sort();
  }
}
