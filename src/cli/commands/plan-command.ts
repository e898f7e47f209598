/**
 * `ai-collab plan "<task>"`: the planner agent turns a task into a plan (validated like a plan file, one
 * repair round), then it is shown for approval and run — or written to `--out FILE` and left there.
 */
import { writeFileSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { planToYaml } from '../../plan/plan-to-yaml.js';
import { planTask } from '../../plan/planner/plan-task.js';
import type { PlanDefinition } from '../../protocol/plan-types.js';
import { formatDuration } from '../../support/format-duration.js';
import { exitCodes } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';
import { executePlan, type RunCommandOptions } from './run-command.js';

export interface PlanCommandOptions extends RunCommandOptions {
  planner?: string;
  out?: string;
}

export async function planCommand(
  task: string,
  options: PlanCommandOptions,
  context: CommandContext,
): Promise<number> {
  const config = context.loadConfig();
  const runtime = await context.openRuntime(
    config,
    options.db,
    options.isolation === false ? { isolation: 'off' } : {},
  );
  try {
    const { stderr } = context.streams;
    const controller = new AbortController();
    const onSignal = (): void => controller.abort(new Error('interrupted'));
    process.once('SIGINT', onSignal);
    let plan: PlanDefinition;
    try {
      stderr.write(`Planning${options.planner ? ` with ${options.planner}` : ''}…\n`);
      const result = await planTask({
        task,
        workspace: context.cwd,
        ...(options.planner !== undefined && { planner: options.planner }),
        specs: runtime.specs,
        deps: {
          clock: runtime.clock,
          logger: runtime.logger,
          environment: context.environment,
          maxLogBytes: config.maxLogBytes,
          killGraceMs: config.killGraceMs,
        },
        transcriptsDir: join(runtime.paths.stateDir, 'planner'),
        providers: runtime.providers,
        signal: controller.signal,
        onRetry: (failure, delayMs) =>
          stderr.write(
            `The planner failed (${failure.message}); trying again in ${formatDuration(delayMs)}.\n`,
          ),
      });
      plan = result.plan;
      stderr.write(`Planned by ${result.planner}: ${plan.steps.length} steps.\n`);
      if (result.attempts > 1) stderr.write('The first answer was not a valid plan; the second was.\n');
    } finally {
      process.off('SIGINT', onSignal);
    }
    if (options.out) {
      const file = resolve(options.out);
      writeFileSync(
        file,
        extname(file).toLowerCase() === '.json'
          ? `${JSON.stringify(parseYaml(planToYaml(plan)), null, 2)}\n`
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
