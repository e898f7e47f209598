/** The agent names a plan may use, as the plan validator sees them. */
export interface AgentCatalog {
  has(name: string): boolean;
  names(): readonly string[];
}

export function agentCatalogOf(names: Iterable<string>): AgentCatalog {
  const known = new Set(names);
  return { has: (name) => known.has(name), names: () => [...known].sort() };
}
