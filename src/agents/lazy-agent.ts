/**
 * An agent whose adapter module is loaded when it is first used. Some adapters bring large libraries (the
 * ACP SDK takes longer to load than a plan of small shell steps takes to run), and most runs use few of
 * the agents configured: each command should pay only for the adapters its steps use.
 */
import type { Agent, AgentResult, AgentTask } from './agent.js';

export function lazyAgent(name: string, load: () => Promise<Agent>): Agent & { poolStats(): unknown } {
  let loading: Promise<Agent> | undefined;
  let loaded: Agent | undefined;
  const agent = (): Promise<Agent> => {
    loading ??= load().then((made) => {
      loaded = made;
      return made;
    });
    return loading;
  };
  return {
    name,
    async run(task: AgentTask): Promise<AgentResult> {
      return (await agent()).run(task);
    },
    async warm(): Promise<void> {
      await (await agent()).warm?.();
    },
    async close(): Promise<void> {
      // Nothing to stop in an adapter never loaded; one still loading is closed once it is.
      if (loading === undefined) return;
      const made = await loading.catch(() => undefined);
      await made?.close?.();
    },
    /** Pooled adapters report their pool (see `runtime-stats.ts`); nothing before the adapter is loaded. */
    poolStats(): unknown {
      if (!loaded || !('poolStats' in loaded) || typeof loaded.poolStats !== 'function') return undefined;
      return loaded.poolStats();
    },
  };
}
