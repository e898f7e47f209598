/** `ai-collab run <plan>`: validate a plan file and run it. */
import { resolve } from 'node:path';
import { approvalReason, pauseAfterMs } from '../../plan/approval-policy.js';
import { loadPlanFile } from '../../plan/load-plan.js';
import type { Budget, PlanDefinition } from '../../protocol/plan-types.js';
import type { RunningServer } from '../../server/index.js';
import { terminalSafe } from '../../support/control-characters.js';
import { findTargetOverlaps } from '../../workspace/target-overlaps.js';
import { followRun } from '../follow-run.js';
import { packageVersion } from '../package-version.js';
import { withoutReview } from '../review-preflight.js';
import { type Runtime, reapOrphans } from '../runtime.js';
import type { CommandContext } from './command-context.js';

export interface RunCommandOptions {
  concurrency?: number;
  failFast?: boolean;
  json?: boolean;
  db?: string;
  /** Run without asking for approval. */
  yes?: boolean;
  /** Commander's negated `--no-isolation`: false when given. */
  isolation?: boolean;
  /** `--serve`: the dashboard and API while the run executes. */
  serve?: boolean;
  /** `--port` for `--serve`. */
  port?: number;
  /** Commander's negated `--no-review`: false when given (the plan's steps are not reviewed). */
  review?: boolean;
  /** `--budget`: the run's budget, over the plan's (and the configured default). */
  budget?: Budget;
}

export async function runCommand(
  planFile: string,
  options: RunCommandOptions,
  context: CommandContext,
): Promise<number> {
  const config = context.loadConfig();
  // Validate before opening the store: an invalid plan starts nothing and writes nothing.
  const agentsForValidation = context.agentCatalog(config);
  const plan = await loadPlanFile(planFile, { agents: agentsForValidation });
  const runtime = await context.openRuntime(
    config,
    options.db,
    options.isolation === false ? { isolation: 'off' } : {},
  );
  try {
    return await executePlan(runtime, plan, resolve(planFile), options, context);
  } finally {
    await runtime.close();
  }
}

/** Runs a validated plan: warnings, agent checks, approval per policy, then the run, followed to its end. */
export async function executePlan(
  runtime: Runtime,
  plan: PlanDefinition,
  planFile: string | null,
  options: RunCommandOptions,
  context: CommandContext,
): Promise<number> {
  const config = runtime.config;
  const overlaps = findTargetOverlaps(plan.steps);
  for (const warning of overlaps.warnings)
    context.streams.stderr.write(`warning: ${terminalSafe(warning.message)}\n`);
  if (overlaps.omitted > 0)
    context.streams.stderr.write(`warning: ${overlaps.omitted} more overlapping targets\n`);
  const reviewed = options.review === false ? withoutReview(plan) : plan;
  const planToRun = options.budget ? { ...reviewed, budget: options.budget } : reviewed;
  for (const warning of runtime.preflight(planToRun, planToRun.steps))
    context.streams.stderr.write(`warning: ${terminalSafe(warning)}\n`);
  const policy = options.yes ? 'never' : config.approval.policy;
  const reason = approvalReason(plan, policy, config.approval.confidenceThreshold);
  const created = runtime.engine.createRun({
    plan: planToRun,
    workspace: context.cwd,
    planFile,
    ...(options.concurrency !== undefined && { concurrency: options.concurrency }),
    failFast: options.failFast ?? false,
    ...(reason !== undefined && { approval: { reason } }),
  });
  await reapOrphans(runtime);
  // Start agent processes now, while the first steps are being scheduled, not when each step needs one.
  void runtime.agents.warmAll(new Set(plan.steps.map((step) => step.agent)));
  const handle = runtime.engine.startRun(created.runId);
  const pauseAfter = pauseAfterMs(plan, config.approval.pauseAfter);
  const server = options.serve ? await serveDuringRun(runtime, options, context) : undefined;
  try {
    return await followRun(runtime, handle, {
      json: options.json ?? false,
      ...context.streams,
      cwd: context.cwd,
      ...(pauseAfter !== undefined && { pauseApprovalAfterMs: pauseAfter }),
    });
  } finally {
    await server?.close();
  }
}

/**
 * `--serve`: the dashboard and API for this process's runtime. The server and MCP modules are loaded only
 * then: they take longer to load than a plan of small steps takes to run.
 */
async function serveDuringRun(
  runtime: Runtime,
  options: RunCommandOptions,
  context: CommandContext,
): Promise<RunningServer> {
  const [{ dashboardNotice, startDashboardServer }, { createFrontEndActions }] = await Promise.all([
    import('../dashboard-server.js'),
    import('../front-end-actions.js'),
  ]);
  const server = await startDashboardServer(
    runtime,
    createFrontEndActions(runtime, context.cwd, context.environment),
    context.environment,
    packageVersion(),
    options.port !== undefined ? { port: options.port } : {},
  );
  context.streams.stderr.write(`${dashboardNotice(server)}\n`);
  return server;
}
