/** What every command gets from the entry point: where it runs, its streams, and how to open the runtime. */
import type { ResolvedConfig } from '../../config/config-schema.js';
import type { Distributed } from '../../distributed/coordinator.js';
import type { AgentCatalog } from '../../plan/agent-catalog.js';
import type { Runtime } from '../runtime.js';

export interface CommandContext {
  cwd: string;
  environment: NodeJS.ProcessEnv;
  streams: { stdout: NodeJS.WritableStream; stderr: NodeJS.WriteStream };
  loadConfig(): ResolvedConfig;
  agentCatalog(config: ResolvedConfig): AgentCatalog;
  openRuntime(
    config: ResolvedConfig,
    db: string | undefined,
    options?: {
      isolation?: 'auto' | 'off';
      review?: 'on' | 'off';
      distributed?: Distributed;
      sharedBudget?: Distributed['sharedBudget'];
    },
  ): Promise<Runtime>;
}

/** The runtime of a command that continues runs (`resume`, `retry`): `--db`, and `--no-review`. */
export function openContinuingRuntime(
  context: CommandContext,
  /** `review` is Commander's negated `--no-review`: false when given. */
  options: { db?: string; review?: boolean },
): Promise<Runtime> {
  return context.openRuntime(
    context.loadConfig(),
    options.db,
    options.review === false ? { review: 'off' } : {},
  );
}
