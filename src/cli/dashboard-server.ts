/** Starts the dashboard server over this process's runtime, for `serve` and `run/plan --serve`. */
import { agentCatalogOf } from '../plan/agent-catalog.js';
import { type RunningServer, startServer } from '../server/index.js';
import type { FrontEndActions } from './front-end-actions.js';
import type { Runtime } from './runtime.js';
import { runtimeStats } from './runtime-stats.js';

export interface ServeFlags {
  port?: number;
  host?: string;
  /** `--allow-remote`: listen on a non-loopback address (the token is still required). */
  allowRemote?: boolean;
}

export function startDashboardServer(
  runtime: Runtime,
  actions: FrontEndActions,
  environment: NodeJS.ProcessEnv,
  version: string,
  flags: ServeFlags,
): Promise<RunningServer> {
  return startServer({
    engine: runtime.engine,
    store: runtime.store,
    stateDir: runtime.paths.stateDir,
    clock: runtime.clock,
    logger: runtime.logger,
    agentCatalog: agentCatalogOf(runtime.specs.keys()),
    stats: runtimeStats(runtime),
    actions: actions.serverActions(version),
    environment,
    version,
    ...(flags.host !== undefined && { host: flags.host }),
    ...(flags.port !== undefined && { port: flags.port }),
    ...(flags.allowRemote !== undefined && { allowRemote: flags.allowRemote }),
  });
}

/** What a person needs to open the dashboard: a one-time sign-in link (the token itself never goes in a URL). */
export function dashboardNotice(server: RunningServer): string {
  return `dashboard: ${server.loginUrl()} (one-time sign-in link; \`ai-collab dashboard\` makes a new one)`;
}
