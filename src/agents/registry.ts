/** Agent name → agent. Names the plan validator accepts come from here too. */
import type { Agent } from './agent.js';

export class AgentRegistry {
  #agents = new Map<string, Agent>();
  /** Names that are known but cannot run here, with the reason shown to the user. */
  #unavailable = new Map<string, string>();
  #timeouts = new Map<string, number>();
  #fallbacks = new Map<string, readonly string[]>();
  #models = new Map<string, string>();

  register(name: string, agent: Agent, options: { timeoutMs?: number; model?: string } = {}): this {
    this.#agents.set(name, agent);
    this.#unavailable.delete(name);
    if (options.timeoutMs !== undefined) this.#timeouts.set(name, options.timeoutMs);
    if (options.model !== undefined) this.#models.set(name, options.model);
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

  get(name: string): Agent | undefined {
    return this.#agents.get(name);
  }

  unavailableReason(name: string): string | undefined {
    return this.#unavailable.get(name);
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
