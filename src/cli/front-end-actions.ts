/**
 * What every front end of one process can start — the MCP server on stdio, the dashboard server and MCP
 * over HTTP — built once from the runtime: plan a task, run a plan given as text, review code. Runs started
 * here execute in this process; `drain` stops them gracefully (they stay resumable) when it ends.
 */
import { extname, join } from 'node:path';
import type { RunHandle } from '../engine/engine.js';
import type { McpDeps } from '../mcp/mcp-server.js';
import { createMcpServer } from '../mcp/mcp-server.js';
import { summarizePlan } from '../mcp/run-summary.js';
import { agentCatalogOf } from '../plan/agent-catalog.js';
import { approvalReason } from '../plan/approval-policy.js';
import { parsePlanText } from '../plan/load-plan.js';
import { type PlanTaskResult, planTask } from '../plan/planner/plan-task.js';
import type { PlanDefinition } from '../protocol/plan-types.js';
import { readServerFile } from '../server/index.js';
import type { ServerActions } from '../server/server-actions.js';
import type { Runtime } from './runtime.js';

export interface FrontEndActions {
  planTask(task: string, planner: string | undefined, signal: AbortSignal): Promise<PlanTaskResult>;
  parsePlan(text: string, file?: string): PlanDefinition;
  approvalReasonFor(plan: PlanDefinition): string | undefined;
  /** Creates a run and executes it in this process; it waits for approval when the policy asks for it. */
  startPlan(
    plan: PlanDefinition,
    reason: string | undefined,
    planFile?: string | null,
    runId?: string,
  ): RunHandle;
  reviewCode: Runtime['reviewCode'];
  mcpDeps(version: string): McpDeps;
  serverActions(version: string): ServerActions;
  /** Stops the runs started here: gracefully, then after `graceMs` at once. */
  drain(reason: string, graceMs: number): Promise<void>;
}

export function createFrontEndActions(
  runtime: Runtime,
  workspace: string,
  environment: NodeJS.ProcessEnv,
): FrontEndActions {
  const config = runtime.config;
  const runs = new Set<Promise<unknown>>();

  const actions: FrontEndActions = {
    planTask: (task, planner, signal) =>
      planTask({
        task,
        workspace,
        ...(planner !== undefined && { planner }),
        specs: runtime.specs,
        deps: {
          clock: runtime.clock,
          logger: runtime.logger,
          environment,
          maxLogBytes: config.maxLogBytes,
          killGraceMs: config.killGraceMs,
        },
        transcriptsDir: join(runtime.paths.stateDir, 'planner'),
        providers: runtime.providers,
        signal,
      }),
    parsePlan: (text, file) => {
      // The file's extension decides the parser; text without a usable one is told apart by its first byte.
      const name = file ?? 'plan';
      const parsedAs = ['.json', '.yaml', '.yml'].includes(extname(name).toLowerCase())
        ? name
        : `${name}${text.trimStart().startsWith('{') ? '.json' : '.yaml'}`;
      return parsePlanText(text, parsedAs, { agents: agentCatalogOf(runtime.specs.keys()) });
    },
    approvalReasonFor: (plan) =>
      approvalReason(plan, config.approval.policy, config.approval.confidenceThreshold),
    startPlan: (plan, reason, planFile = null, runId) => {
      // The engine's pre-flight refuses a plan that cannot run here before anything is written.
      const created = runtime.engine.createRun({
        plan,
        workspace,
        planFile,
        ...(runId !== undefined && { runId }),
        ...(reason !== undefined && { approval: { reason } }),
      });
      void runtime.agents.warmAll(new Set(plan.steps.map((step) => step.agent)));
      const handle = runtime.engine.startRun(created.runId);
      const done = handle.done.catch((error: unknown) =>
        runtime.logger.error('run failed', { runId: created.runId, error }),
      );
      runs.add(done);
      void done.finally(() => runs.delete(done));
      return handle;
    },
    reviewCode: runtime.reviewCode,
    mcpDeps: (version) => ({
      engine: runtime.engine,
      version,
      clock: runtime.clock,
      planTask: actions.planTask,
      parsePlan: (text) => actions.parsePlan(text),
      approvalReasonFor: actions.approvalReasonFor,
      startPlan: (plan, reason, runId) => actions.startPlan(plan, reason, null, runId),
      approval: config.approval.mcp,
      dashboardUrl: () => readServerFile(runtime.paths.stateDir)?.url,
      ...(runtime.reviewCode && { reviewCode: runtime.reviewCode }),
    }),
    serverActions: (version) => ({
      planTask: async ({ task, planner }, signal) => {
        const result = await actions.planTask(task, planner, signal);
        const handle = actions.startPlan(result.plan, actions.approvalReasonFor(result.plan));
        return { ...summarizePlan(handle.state), runId: handle.runId, status: handle.state.status };
      },
      runPlan: ({ plan, file }) => {
        const parsed = actions.parsePlan(plan, file);
        const handle = actions.startPlan(parsed, actions.approvalReasonFor(parsed), file ?? null);
        return { runId: handle.runId, status: handle.state.status, name: handle.state.name };
      },
      ...(runtime.reviewCode && { reviewCode: runtime.reviewCode }),
      createMcpServer: ({ redact }) => createMcpServer({ ...actions.mcpDeps(version), redact }),
    }),
    drain: async (reason, graceMs) => {
      runtime.engine.stopAll('graceful', reason);
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([
        Promise.all([...runs]),
        new Promise((resolve) => {
          timer = setTimeout(resolve, graceMs);
        }),
      ]);
      clearTimeout(timer);
      runtime.engine.stopAll('immediate', reason);
      await Promise.all([...runs]);
    },
  };
  return actions;
}
