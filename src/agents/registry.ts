/** Agent name → agent. Names the plan validator accepts come from here too. */
import type { Agent } from './agent.js';

export class AgentRegistry {
  #agents = new Map<string, Agent>();
  /** Names that are known but cannot run here, with the reason shown to the user. */
  #unavailable = new Map<string, string>();

  register(name: string, agent: Agent): this {
    this.#agents.set(name, agent);
    this.#unavailable.delete(name);
    return this;
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

  names(): string[] {
    return [...new Set([...this.#agents.keys(), ...this.#unavailable.keys()])].sort();
  }
}
