/**
 * The context of a command run from a terminal: this process's folder, environment and streams, the
 * configuration found there, and the runtime. Loaded only once a command runs (not for `--version` or
 * `--help`), and the runtime's modules (engine, agents, store, workspace, review) only when a command opens
 * one: `runs` and `status` read the store without them.
 */
import type { ResolvedConfig } from '../config/config-schema.js';
import { loadConfig } from '../config/load-config.js';
import { resolveAgents } from '../config/resolve-agents.js';
import { agentCatalogOf } from '../plan/agent-catalog.js';
import type { CommandContext } from './commands/command-context.js';

export function defaultContext(streams: CommandContext['streams']): CommandContext {
  const environment = process.env;
  const cwd = process.cwd();
  return {
    cwd,
    environment,
    streams,
    loadConfig: () => loadConfig(cwd, environment),
    agentCatalog: (config) => agentCatalogOf(agentNames(config, environment)),
    openRuntime: async (config, db, options) => {
      const { openRuntime } = await import('./runtime.js');
      return openRuntime({
        workspace: cwd,
        db,
        config,
        environment,
        ...(options?.isolation && { isolation: options.isolation }),
        ...(options?.review && { review: options.review }),
        ...(options?.distributed && { distributed: options.distributed }),
        ...(options?.sharedBudget && { sharedBudget: options.sharedBudget }),
      });
    },
  };
}

/** The names a plan may use, available here or not (the validator accepts both; preflight tells them apart). */
function agentNames(config: ResolvedConfig, environment: NodeJS.ProcessEnv): string[] {
  return [...resolveAgents(config, environment).keys()];
}
