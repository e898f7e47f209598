/** The commands that execute a plan: run, plan, resume and retry. */
import type { Command } from 'commander';
import { parseBudgetFlag } from '../budget-flag.js';
import type { CliSession } from './cli-session.js';
import { positiveInteger, tcpPort } from './option-parsers.js';

export const redisOption = [
  '--redis <url>',
  'run step attempts on ai-collab workers through this Redis (see: ai-collab worker)',
] as const;

/** The options of a run that starts now, written once for `run` and `plan`. */
function withExecutionOptions(command: Command): Command {
  return command
    .option('-c, --concurrency <n>', 'steps running at once (overrides the plan)', positiveInteger)
    .option('--fail-fast', 'start no new steps after the first failure')
    .option('-y, --yes', 'run without asking for approval (approval policy never)')
    .option('--no-isolation', 'run every step in the workspace itself, without git worktrees')
    .option('--no-review', 'do not review code-changing steps with the reviewer swarm (recorded in the run)')
    .option(
      '--budget <budget>',
      "the run's budget: dollars (8), tokens (2Mtokens) or both (usd=8,tokens=2M); overrides the plan's",
      parseBudgetFlag,
    )
    .option('--json', 'print the run as one JSON object on stdout when it ends')
    .option('--serve', 'serve the dashboard and API while the run executes (prints a sign-in link)')
    .option('-p, --port <port>', 'port for --serve (default: a free one)', tcpPort)
    .option(...redisOption)
    .option('--db <path>', 'state database (default .ai-collab/state.db)');
}

// Each command's module is loaded when that command runs, so a command pays only for what it uses:
// loading the server and MCP modules took longer than running a plan of small steps.
export function defineRunCommands(program: Command, session: CliSession): void {
  withExecutionOptions(
    program
      .command('run')
      .description('validate a plan file (YAML or JSON) and run it')
      .argument('<plan>', 'plan file: .yaml, .yml or .json (the seed PlanResponse shape is accepted)'),
  ).action(async (plan: string, options) => {
    const { runCommand } = await import('../commands/run-command.js');
    session.exitCode = await runCommand(plan, options, session.context);
  });

  withExecutionOptions(
    program
      .command('plan')
      .description('ask a planner agent for a plan for a task, show it for approval, and run it')
      .argument('<task>', 'what should be done, in words')
      .option(
        '--planner <agent>',
        'the agent that plans (default: the first usable of claude, codex, gemini, an OpenAI-compatible model)',
      )
      .option('--out <file>', 'write the plan to a file (.yaml or .json) instead of running it'),
  ).action(async (task: string, options) => {
    const { planCommand } = await import('../commands/plan-command.js');
    session.exitCode = await planCommand(task, options, session.context);
  });

  defineContinueCommands(program, session);
}

/** resume and retry: a run that exists goes on. */
function defineContinueCommands(program: Command, session: CliSession): void {
  program
    .command('resume')
    .description("continue interrupted runs: all of this workspace's, or one")
    .argument('[runId]', 'the run to continue')
    .option('--json', 'print each run as one JSON object on stdout when it ends')
    .option(
      '--budget <budget>',
      "set (raise) the run's budget, e.g. 8 or usd=8,tokens=2M; names one run",
      parseBudgetFlag,
    )
    .option('--no-review', 'do not review the steps still to run (when no reviewer is usable here)')
    .option(...redisOption)
    .option('--db <path>', 'state database')
    .action(async (runId: string | undefined, options) => {
      const { resumeCommand } = await import('../commands/resume-command.js');
      session.exitCode = await resumeCommand(runId, options, session.context);
    });

  program
    .command('retry')
    .description(
      'run the failed and blocked steps of an ended run again (or the steps named), in the foreground like resume',
    )
    .argument('<runId>', 'the run')
    .argument('[steps...]', 'step ids to retry (default: every failed and blocked step)')
    .option('--detach', 'record the retry and return; ai-collab resume RUN_ID runs it')
    .option('--json', 'print the run as one JSON object on stdout when it ends')
    .option('--no-review', 'do not review the steps still to run (when no reviewer is usable here)')
    .option('--db <path>', 'state database')
    .action(async (runId: string, steps: string[], options) => {
      const { retryCommand } = await import('../commands/retry-command.js');
      session.exitCode = await retryCommand(runId, steps, options, session.context);
    });
}
