/**
 * ai-collab as an MCP server: a handful of coarse tools with short descriptions and strict inputs, so a
 * calling agent pays little context for them (the whole list is kept under 2,000 tokens by a test). Long
 * operations return a run id at once and report progress; run logs and step outputs are resources.
 */
import { readFileSync } from 'node:fs';
import { McpServer, ResourceTemplate } from '@modelcontextprotocol/sdk/server/mcp.js';
import { ElicitResultSchema } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import type { Engine, RunHandle } from '../engine/engine.js';
import type { RunState } from '../engine/run-state.js';
import { budgetSchema } from '../plan/budget-schema.js';
import type { PlanTaskResult } from '../plan/planner/plan-task.js';
import type { PlanDefinition } from '../protocol/plan-types.js';
import { type Clock, systemClock } from '../support/clock.js';
import { isInputError } from '../support/errors.js';
import { askToApprove, type McpApprovalMode } from './approval-gate.js';
import { PlanningJobs } from './planning-jobs.js';
import { summarizeForecast, summarizePlan, summarizeRun } from './run-summary.js';

export interface McpDeps {
  engine: Engine;
  version: string;
  /** Plans a task with the configured planner (read-only), validated. */
  planTask(task: string, planner: string | undefined, signal: AbortSignal): Promise<PlanTaskResult>;
  /** Parses and validates a plan given as YAML or JSON text. */
  parsePlan(text: string): PlanDefinition;
  /**
   * Creates a run and starts it in this process; it waits for approval when the policy asks for it.
   * `runId` is the id plan_task handed out before the plan existed.
   */
  startPlan(plan: PlanDefinition, approvalReason: string | undefined, runId?: string): RunHandle;
  /** Why a plan needs approval under the configured policy, if it does. */
  approvalReasonFor(plan: PlanDefinition): string | undefined;
  /** Reviews code or a diff with the swarm; absent when no reviewer is usable. */
  reviewCode?(input: { code?: string; diff?: string; path?: string }, signal: AbortSignal): Promise<unknown>;
  /** For the planning heartbeat. @default the system clock */
  clock?: Clock;
  /** Removes secrets from everything sent to the client (the HTTP server passes its redactor). */
  redact?(text: string): string;
  /** Who may approve over MCP (`approval.mcp`). @default person: asked through elicitation */
  approval?: McpApprovalMode;
  /** The dashboard's address while a server runs for this workspace, to tell a person where to approve. */
  dashboardUrl?(): string | undefined;
}

/** How often plan_task reports that planning goes on. */
export const planningHeartbeatMs = 5_000;
/** How long plan_task waits for the plan before it returns the run id to follow instead. */
export const planTaskWaitMs = 25_000;

const failure = (message: string) => ({ content: [{ type: 'text' as const, text: message }], isError: true });

export function createMcpServer(deps: McpDeps): McpServer {
  const server = new McpServer({ name: 'ai-collab', version: deps.version });
  const redact = deps.redact ?? ((text: string) => text);
  const json = (value: unknown) => ({
    content: [{ type: 'text' as const, text: redact(JSON.stringify(value)) }],
  });
  const runState = (runId: string): RunState | undefined => deps.engine.getRunState(runId);
  const clock = deps.clock ?? systemClock;
  const planning = new PlanningJobs(clock);
  const context: ToolContext = { server, deps, redact, json, runState, clock, planning };
  registerPlanTask(context);
  registerRunTools(context);
  registerDecisionTools(context);
  registerReviewAndOutput(context);

  return server;
}

/** What every tool's handler works with. */
interface ToolContext {
  server: McpServer;
  deps: McpDeps;
  redact: (text: string) => string;
  json: (value: unknown) => { content: Array<{ type: 'text'; text: string }> };
  runState: (runId: string) => RunState | undefined;
  clock: Clock;
  planning: PlanningJobs;
}

/** `plan_task`: the planner, answered when it finishes or with the run id while it still plans. */
function registerPlanTask(context: ToolContext): void {
  const { server, deps, json, runState, clock, planning } = context;
  server.registerTool(
    'plan_task',
    {
      description:
        'Plan a coding task as a DAG of agent steps. Returns runId, steps, confidence, risks (or runId while still planning: poll get_run). Not run until approve_plan.',
      inputSchema: z.strictObject({
        task: z.string().min(1).max(20_000),
        planner: z.string().max(200).optional(),
      }),
    },
    async ({ task, planner }, extra) => {
      const token = extra._meta?.progressToken;
      const startedAt = clock.now();
      const report = (progress: number, message: string): void => {
        if (token === undefined) return;
        extra
          .sendNotification({
            method: 'notifications/progress',
            params: { progressToken: token, progress, message },
          })
          .catch(() => {});
      };
      // The planner works in the background under a run id handed out now, so a slow planner never holds
      // the call for minutes: after planTaskWaitMs the client gets the id and follows it with get_run.
      const job = planning.start(task, async (runId, signal) => {
        const result = await deps.planTask(task, planner, signal);
        deps.startPlan(result.plan, `planned by ${result.planner} over MCP`, runId);
      });
      // Meanwhile a heartbeat keeps clients that time out without progress waiting.
      let cancelHeartbeat = (): void => {};
      const beat = (count: number): void => {
        report(count, `planning (${Math.round((clock.now() - startedAt) / 1_000)} s)`);
        cancelHeartbeat = clock.setTimer(planningHeartbeatMs, () => beat(count + 1));
      };
      beat(0);
      let cancelWait = (): void => {};
      const waited = new Promise<'waited'>((resolve) => {
        cancelWait = clock.setTimer(planTaskWaitMs, () => resolve('waited'));
      });
      try {
        const outcome = await Promise.race([job.done.then(() => 'planned' as const), waited]);
        const state = runState(job.runId);
        if (outcome === 'planned' && state)
          return json(summarizePlan(state, deps.engine.forecast(state.plan.steps)));
        const progress = planning.describe(job.runId);
        if (progress?.status === 'failed') return failure(`planning failed: ${String(progress.error)}`);
        return json({ ...progress, next: 'call get_run with this runId; the plan then awaits approve_plan' });
      } finally {
        cancelHeartbeat();
        cancelWait();
      }
    },
  );
}

/** `run_plan`, `get_run`, `list_runs`, `cancel_run`. */
function registerRunTools(context: ToolContext): void {
  const { server, deps, json, runState, planning } = context;
  server.registerTool(
    'run_plan',
    {
      description:
        'Run a plan (YAML/JSON text), or resume runId (budget raises its budget). Returns runId at once; poll get_run.',
      inputSchema: z.strictObject({
        plan: z.string().min(1).max(4_000_000).optional(),
        runId: z.string().max(100).optional(),
        budget: budgetSchema.optional(),
      }),
    },
    async ({ plan, runId, budget }) => {
      if (plan !== undefined) {
        let parsed: PlanDefinition;
        try {
          parsed = deps.parsePlan(plan);
        } catch (error) {
          if (isInputError(error)) return failure([error.message, ...error.problems].join('\n'));
          throw error;
        }
        const handle = deps.startPlan(parsed, deps.approvalReasonFor(parsed));
        return json(summarizeRun(handle.state, false));
      }
      if (runId === undefined) return failure('give a plan or a runId');
      const state = runState(runId);
      if (!state) return failure(`no run ${runId}`);
      if (state.status === 'awaiting_approval')
        return failure(`run ${runId} waits for approval: call approve_plan`);
      if (budget) {
        const change = {
          ...(budget.usd !== undefined && { usd: budget.usd }),
          ...(budget.tokens !== undefined && { tokens: budget.tokens }),
        };
        const raised = await deps.engine.setBudget(runId, change, 'mcp');
        return json(summarizeRun(raised?.state ?? runState(runId) ?? state, false));
      }
      const handle = await deps.engine.resumeRun(runId);
      return json(summarizeRun(handle.state, false));
    },
  );

  server.registerTool(
    'get_run',
    {
      description:
        'Run status: counts, problems, best-of-N candidates, failovers, parked steps; details=true adds each step.',
      inputSchema: z.strictObject({ runId: z.string().max(100), details: z.boolean().optional() }),
    },
    async ({ runId, details }) => {
      const state = runState(runId);
      if (state?.status === 'awaiting_approval')
        return json({
          ...summarizeRun(state, details ?? false),
          forecast: summarizeForecast(deps.engine.forecast(state.plan.steps)),
        });
      if (state) return json(summarizeRun(state, details ?? false));
      const planned = planning.describe(runId);
      return planned ? json(planned) : failure(`no run ${runId}`);
    },
  );

  server.registerTool(
    'list_runs',
    {
      description: 'Recent runs, newest first.',
      inputSchema: z.strictObject({ limit: z.number().int().min(1).max(100).optional() }),
    },
    async ({ limit }) =>
      json(
        deps.engine
          .listRuns()
          .slice(0, limit ?? 10)
          .map((run) => ({ runId: run.runId, name: run.name, status: run.status, steps: run.stepCount })),
      ),
  );

  server.registerTool(
    'cancel_run',
    {
      description: 'Cancel a run (kills its running steps).',
      inputSchema: z.strictObject({ runId: z.string().max(100) }),
    },
    async ({ runId }) => {
      if (planning.cancel(runId)) return json({ runId, cancelled: true });
      deps.engine.cancel(runId, 'mcp');
      return json({ runId, cancelled: true });
    },
  );
}

/** `approve_plan` (a person's, through elicitation or the dashboard) and `reject_plan`. */
function registerDecisionTools(context: ToolContext): void {
  const { server, deps, redact, json, runState } = context;
  for (const decision of ['approve', 'reject'] as const) {
    server.registerTool(
      `${decision}_plan`,
      {
        description:
          decision === 'approve'
            ? 'Ask the person to approve a plan awaiting approval; it starts once they do.'
            : 'Reject a plan awaiting approval; it ends cancelled.',
        inputSchema: z.strictObject({ runId: z.string().max(100), reason: z.string().max(2_000).optional() }),
      },
      async ({ runId, reason }, extra) => {
        const state = runState(runId);
        if (!state) return failure(`no run ${runId}`);
        let by = 'mcp';
        if (decision === 'approve' && state.status === 'awaiting_approval') {
          // A rejection runs nothing, so an agent may reject; an approval is a person's (approval.mcp).
          const answer = await askToApprove(
            state,
            deps.approval ?? 'person',
            {
              clientCanElicit: server.server.getClientCapabilities()?.elicitation !== undefined,
              elicit: (params) =>
                extra.sendRequest(
                  { method: 'elicitation/create', params: { ...params, message: redact(params.message) } },
                  ElicitResultSchema,
                ),
            },
            deps.dashboardUrl?.(),
          );
          if (answer.kind === 'refused') return failure(redact(answer.message));
          by = answer.by;
        }
        try {
          const outcome = await deps.engine.decideRun(runId, {
            decision: decision === 'approve' ? 'approved' : 'rejected',
            by,
            ...(reason !== undefined && { reason }),
          });
          if (!outcome.counted) return failure(`run ${runId} was already decided elsewhere`);
          const runsIn =
            outcome.decision === 'approved'
              ? outcome.runsIn === 'waiting-process'
                ? { runsIn: `process ${outcome.pid}` }
                : { runsIn: outcome.runsIn === 'this-process' ? 'this server' : 'not started' }
              : {};
          return json({ runId, decision, by, ...runsIn, status: runState(runId)?.status });
        } catch (error) {
          if (isInputError(error)) return failure([error.message, ...error.problems].join('\n'));
          throw error;
        }
      },
    );
  }
}

/** `review_code` when reviewing is wired, and the `step-output` resource. */
function registerReviewAndOutput(context: ToolContext): void {
  const { server, deps, redact, json, runState } = context;
  if (deps.reviewCode) {
    const review = deps.reviewCode;
    server.registerTool(
      'review_code',
      {
        description: 'Review code or a diff with the reviewer swarm: verdict, score, votes.',
        inputSchema: z.strictObject({
          code: z.string().max(1_000_000).optional(),
          diff: z.string().max(1_000_000).optional(),
          path: z.string().max(1_000).optional(),
        }),
      },
      async (input, extra) => json(await review(input, extra.signal)),
    );
  }

  server.registerResource(
    'step-output',
    new ResourceTemplate('ai-collab://runs/{runId}/steps/{stepId}/{kind}', { list: undefined }),
    {
      description: "A step's answer (kind=output) or its last attempt's transcript (kind=log)",
      mimeType: 'text/plain',
    },
    async (uri, variables) => {
      const state = runState(String(variables.runId));
      const step = state?.steps[String(variables.stepId)];
      if (!state || !step)
        throw new Error(`no step ${String(variables.stepId)} in run ${String(variables.runId)}`);
      const text =
        variables.kind === 'log' ? readLog(step.logFile) : (step.output ?? step.error?.message ?? '');
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: redact(text) }] };
    },
  );
}

/** The last 64 KB of a transcript: enough to see what happened, bounded for the client's context. */
function readLog(file: string | undefined): string {
  if (!file) return '';
  try {
    const text = readFileSync(file, 'utf8');
    return text.length > 65_536 ? text.slice(-65_536) : text;
  } catch {
    return '';
  }
}
