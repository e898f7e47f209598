/**
 * `ai-collab plan "<task>"`: the planner agent turns a task into a plan (validated like a plan file, one
 * repair round), then it is shown for approval and run — or written to `--out FILE` and left there.
 */
import { writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { AgentSpec } from '../../agents/agent-spec.js';
import { buildAgentRegistry } from '../../agents/build-agents.js';
import { agentCatalogOf } from '../../plan/agent-catalog.js';
import { planToYaml } from '../../plan/plan-to-yaml.js';
import { runPlanner } from '../../plan/planner/run-planner.js';
import { InputError } from '../../support/errors.js';
import { exitCodes } from '../exit-codes.js';
import type { Runtime } from '../runtime.js';
import type { CommandContext } from './command-context.js';
import { executePlan, type RunCommandOptions } from './run-command.js';

export interface PlanCommandOptions extends RunCommandOptions {
  planner?: string;
  out?: string;
}

/** Planners in order of preference when none is named. */
const preferredPlanners = ['claude', 'codex', 'gemini'];

export async function planCommand(
  task: string,
  options: PlanCommandOptions,
  context: CommandContext,
): Promise<number> {
  if (task.trim() === '')
    throw new InputError(
      'USAGE',
      'the task is empty; say what should be done, e.g. ai-collab plan "add a login page"',
    );
  const config = context.loadConfig();
  const runtime = context.openRuntime(
    config,
    options.db,
    options.isolation === false ? { isolation: 'off' } : {},
  );
  try {
    const plannerSpec = choosePlanner(runtime, options.planner);
    const planner = buildAgentRegistry([readOnly(plannerSpec)], {
      clock: runtime.clock,
      logger: runtime.logger,
      environment: context.environment,
      maxLogBytes: config.maxLogBytes,
      killGraceMs: config.killGraceMs,
      processes: { add: () => {}, remove: () => {}, list: () => [] },
      workspace: context.cwd,
    });
    const agent = planner.get(plannerSpec.name);
    if (!agent)
      throw new InputError(
        'USAGE',
        `the planner ${plannerSpec.name} cannot run: ${planner.unavailableReason(plannerSpec.name)}`,
      );
    const { stderr } = context.streams;
    stderr.write(`Planning with ${plannerSpec.name}…\n`);
    const controller = new AbortController();
    const onSignal = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    let plan: Awaited<ReturnType<typeof runPlanner>>['plan'];
    try {
      const result = await runPlanner({
        task,
        workspace: context.cwd,
        planner: agent,
        plannerName: plannerSpec.name,
        agents: agentCatalogOf(runtime.specs.keys()),
        agentInfo: describeAgents(runtime),
        logFile: (attempt) => join(runtime.paths.stateDir, 'planner', `${Date.now()}-${attempt}.log`),
        signal: controller.signal,
      });
      plan = result.plan;
      if (result.attempts > 1) stderr.write('The first answer was not a valid plan; the second was.\n');
    } finally {
      process.off('SIGINT', onSignal);
      await planner.closeAll();
    }
    if (options.out) {
      const file = resolve(options.out);
      writeFileSync(
        file,
        extname(file).toLowerCase() === '.json'
          ? `${JSON.stringify(toJsonPlan(plan), null, 2)}\n`
          : planToYaml(plan),
      );
      stderr.write(
        `Plan written to ${options.out} (${plan.steps.length} steps). Run it with: ai-collab run ${options.out}\n`,
      );
      return exitCodes.success;
    }
    return await executePlan(runtime, plan, null, options, context);
  } finally {
    await runtime.close();
  }
}

function choosePlanner(runtime: Runtime, requested: string | undefined): AgentSpec {
  if (requested !== undefined) {
    const spec = runtime.specs.get(requested);
    if (!spec) throw new InputError('USAGE', `no agent named ${requested}; see ai-collab doctor`);
    if (spec.unavailable)
      throw new InputError(
        'USAGE',
        `the planner ${requested} cannot run: ${spec.unavailable.reason}; ${spec.unavailable.fix}`,
      );
    return spec;
  }
  const usable = (spec: AgentSpec | undefined): spec is AgentSpec =>
    spec !== undefined && !spec.unavailable && spec.adapter !== 'shell' && spec.capabilities.includes('plan');
  const preferred = preferredPlanners.map((name) => runtime.specs.get(name)).find(usable);
  const fallback = [...runtime.specs.values()].find((spec) => usable(spec) && spec.adapter === 'openai');
  const chosen = preferred ?? fallback;
  if (!chosen) {
    throw new InputError(
      'USAGE',
      'no planner agent is usable here (claude, codex, gemini or an OpenAI-compatible model); run ai-collab doctor for why, or pass --planner',
    );
  }
  return chosen;
}

/** The planner may read the workspace but not change it. */
function readOnly(spec: AgentSpec): AgentSpec {
  switch (spec.adapter) {
    case 'claude':
      return { ...spec, mode: 'oneshot', permissionMode: 'plan' };
    case 'codex':
      return { ...spec, mode: 'exec', sandbox: 'read-only' };
    case 'gemini':
      return { ...spec, mode: 'prompt', approvalMode: 'default' };
    default:
      return spec;
  }
}

function describeAgents(runtime: Runtime): Array<{ name: string; description: string }> {
  return [...runtime.specs.values()]
    .filter((spec) => !spec.unavailable && spec.adapter !== 'shell' && spec.capabilities.includes('execute'))
    .map((spec) => ({
      name: spec.name,
      description: `${spec.adapter === 'openai' ? `an OpenAI-compatible model (${spec.model})` : `${spec.adapter} CLI${spec.model ? ` with model ${spec.model}` : ''}`}; edits files and can run tools`,
    }));
}

/** The plan in the native file format as JSON (what `ai-collab run` reads back). */
function toJsonPlan(plan: Awaited<ReturnType<typeof runPlanner>>['plan']): unknown {
  return parseYaml(planToYaml(plan));
}
