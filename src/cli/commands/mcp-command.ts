/**
 * `ai-collab mcp`: the MCP server on stdio. stdout carries protocol messages only — every log line goes to
 * stderr — and runs started here execute in this process until the client disconnects, when they stop
 * gracefully and stay resumable.
 */
import { join } from 'node:path';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import type { RunHandle } from '../../engine/engine.js';
import { createMcpServer } from '../../mcp/mcp-server.js';
import { agentCatalogOf } from '../../plan/agent-catalog.js';
import { approvalReason } from '../../plan/approval-policy.js';
import { parsePlanText } from '../../plan/load-plan.js';
import { planTask } from '../../plan/planner/plan-task.js';
import { exitCodes } from '../exit-codes.js';
import { reapOrphans } from '../runtime.js';
import type { CommandContext } from './command-context.js';

export async function mcpCommand(
  options: { db?: string },
  context: CommandContext,
  version: string,
): Promise<number> {
  const config = context.loadConfig();
  const runtime = context.openRuntime(config, options.db);
  const runs = new Set<Promise<unknown>>();
  try {
    await reapOrphans(runtime);
    const server = createMcpServer({
      engine: runtime.engine,
      version,
      planTask: (task, planner, signal) =>
        planTask({
          task,
          workspace: context.cwd,
          ...(planner !== undefined && { planner }),
          specs: runtime.specs,
          deps: {
            clock: runtime.clock,
            logger: runtime.logger,
            environment: context.environment,
            maxLogBytes: config.maxLogBytes,
            killGraceMs: config.killGraceMs,
          },
          transcriptsDir: join(runtime.paths.stateDir, 'planner'),
          signal,
        }),
      parsePlan: (text) =>
        parsePlanText(text, text.trimStart().startsWith('{') ? 'plan.json' : 'plan.yaml', {
          agents: agentCatalogOf(runtime.specs.keys()),
        }),
      approvalReasonFor: (plan) =>
        approvalReason(plan, config.approval.policy, config.approval.confidenceThreshold),
      startPlan: (plan, reason) => {
        const created = runtime.engine.createRun({
          plan,
          workspace: context.cwd,
          planFile: null,
          ...(reason !== undefined && { approval: { reason } }),
        });
        void runtime.agents.warmAll(new Set(plan.steps.map((step) => step.agent)));
        const handle: RunHandle = runtime.engine.startRun(created.runId);
        const done = handle.done.catch((error: unknown) =>
          runtime.logger.error('run failed', { runId: created.runId, error }),
        );
        runs.add(done);
        void done.finally(() => runs.delete(done));
        return handle;
      },
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = () => resolve();
      process.stdin.once('end', () => resolve());
    });
    await server.connect(transport);
    await closed;
    runtime.engine.stopAll('graceful', 'the MCP client disconnected');
    await Promise.race([
      Promise.all([...runs]),
      new Promise((resolve) => setTimeout(resolve, config.interruptGraceMs).unref()),
    ]);
    runtime.engine.stopAll('immediate', 'the MCP client disconnected');
    await Promise.all([...runs]);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}
