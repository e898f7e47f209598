/** Entry point of the command line: parses arguments, runs one command, returns its exit code. */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { agentCatalogOf } from '../plan/agent-catalog.js';
import { PlannerError } from '../plan/planner/run-planner.js';
import { terminalSafe } from '../support/control-characters.js';
import { isInputError, OrchestratorError } from '../support/errors.js';
import { parseBudgetFlag } from './budget-flag.js';
import type { CommandContext } from './commands/command-context.js';
import { exitCodes } from './exit-codes.js';
import { packageVersion } from './package-version.js';
import { agentNames, openRuntime } from './runtime.js';

const version = packageVersion;

function tcpPort(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed > 65_535) {
    throw new InvalidArgumentError('expected a TCP port from 0 to 65535');
  }
  return parsed;
}

function lockDuration(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1_000 || parsed > 3_600_000) {
    throw new InvalidArgumentError('expected milliseconds from 1000 to 3600000');
  }
  return parsed;
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || parsed < 1 || parsed > 4096) {
    throw new InvalidArgumentError('expected a whole number from 1 to 4096');
  }
  return parsed;
}

export function defaultContext(): CommandContext {
  const environment = process.env;
  const cwd = process.cwd();
  return {
    cwd,
    environment,
    streams: { stdout: process.stdout, stderr: process.stderr },
    loadConfig: () => loadConfig(cwd, environment),
    agentCatalog: (config) => agentCatalogOf(agentNames(config, environment)),
    openRuntime: (config, db, options) =>
      openRuntime({
        workspace: cwd,
        db,
        config,
        environment,
        ...(options?.isolation && { isolation: options.isolation }),
        ...(options?.review && { review: options.review }),
        ...(options?.distributed && { distributed: options.distributed }),
        ...(options?.sharedBudget && { sharedBudget: options.sharedBudget }),
      }),
  };
}

export async function main(
  argv: readonly string[],
  initialContext: CommandContext = defaultContext(),
): Promise<number> {
  let context = initialContext;
  let exitCode: number = exitCodes.success;
  const program = new Command('ai-collab')
    .description('Run plans of AI coding agents and shell steps as a parallel, durable DAG.')
    .version(version())
    .showHelpAfterError('(run ai-collab --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => context.streams.stdout.write(text),
      writeErr: (text) => context.streams.stderr.write(text),
    });

  // Each command's module is loaded when that command runs, so a command pays only for what it uses:
  // loading the server and MCP modules took longer than running a plan of small steps.
  program
    .command('run')
    .description('validate a plan file (YAML or JSON) and run it')
    .argument('<plan>', 'plan file: .yaml, .yml or .json (the seed PlanResponse shape is accepted)')
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
    .option(
      '--redis <url>',
      'run step attempts on ai-collab workers through this Redis (see: ai-collab worker)',
    )
    .option('--db <path>', 'state database (default .ai-collab/state.db)')
    .action(async (plan: string, options) => {
      exitCode = await (await import('./commands/run-command.js')).runCommand(plan, options, context);
    });

  program
    .command('plan')
    .description('ask a planner agent for a plan for a task, show it for approval, and run it')
    .argument('<task>', 'what should be done, in words')
    .option(
      '--planner <agent>',
      'the agent that plans (default: the first usable of claude, codex, gemini, an OpenAI-compatible model)',
    )
    .option('--out <file>', 'write the plan to a file (.yaml or .json) instead of running it')
    .option('-c, --concurrency <n>', 'steps running at once', positiveInteger)
    .option('--fail-fast', 'start no new steps after the first failure')
    .option('-y, --yes', 'run without asking for approval')
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
    .option(
      '--redis <url>',
      'run step attempts on ai-collab workers through this Redis (see: ai-collab worker)',
    )
    .option('--db <path>', 'state database')
    .action(async (task: string, options) => {
      exitCode = await (await import('./commands/plan-command.js')).planCommand(task, options, context);
    });

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
    .option(
      '--redis <url>',
      'run step attempts on ai-collab workers through this Redis (see: ai-collab worker)',
    )
    .option('--db <path>', 'state database')
    .action(async (runId: string | undefined, options) => {
      exitCode = await (await import('./commands/resume-command.js')).resumeCommand(runId, options, context);
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
      exitCode = await (await import('./commands/retry-command.js')).retryCommand(
        runId,
        steps,
        options,
        context,
      );
    });

  program
    .command('runs')
    .description('list runs of this workspace, newest first')
    .option('--all', 'runs of every workspace in the database')
    .option('--json', 'print a JSON array')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      exitCode = await (await import('./commands/runs-command.js')).runsCommand(options, context);
    });

  program
    .command('status')
    .description('show one run and its steps')
    .argument('<runId>', 'the run')
    .option('--json', 'print a JSON object')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      exitCode = await (await import('./commands/status-command.js')).statusCommand(runId, options, context);
    });

  program
    .command('apply')
    .description(
      "land a run's branch on your current branch (fast-forward or merge; never with your uncommitted changes at risk)",
    )
    .argument('<runId>', 'the run')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      exitCode = await (await import('./commands/apply-command.js')).applyCommand(runId, options, context);
    });

  program
    .command('discard')
    .description("remove a run's branch, kept step branches and worktrees")
    .argument('<runId>', 'the run')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      exitCode = await (await import('./commands/apply-command.js')).discardCommand(runId, options, context);
    });

  program
    .command('approve')
    .description(
      'approve a plan that waits for approval; it runs in the process waiting for it, else here in the foreground',
    )
    .argument('<runId>', 'the run')
    .option(
      '--detach',
      'record the approval and return; resume starts the run (unless a process waits for it)',
    )
    .option('--json', 'print the run as one JSON object on stdout (when it ends, if it runs here)')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      exitCode = await (await import('./commands/decide-command.js')).decideCommand(
        'approved',
        runId,
        options,
        context,
      );
    });

  program
    .command('reject')
    .description('reject a plan that waits for approval (the run ends cancelled)')
    .argument('<runId>', 'the run')
    .option('--reason <text>', 'why, for the record')
    .option('--json', 'print the run as one JSON object on stdout')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      exitCode = await (await import('./commands/decide-command.js')).decideCommand(
        'rejected',
        runId,
        options,
        context,
      );
    });

  program
    .command('serve')
    .description('serve the dashboard, the JSON API, the live stream and MCP over HTTP for this workspace')
    .option('-p, --port <port>', 'TCP port (default: a free one)', tcpPort)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (the token is still required)')
    .option('--open', 'open the dashboard in the browser')
    .option(
      '--redis <url>',
      'run step attempts on ai-collab workers through this Redis (see: ai-collab worker)',
    )
    .option('--db <path>', 'state database')
    .action(async (options) => {
      exitCode = await (await import('./commands/serve-command.js')).serveCommand(
        options,
        context,
        version(),
      );
    });

  program
    .command('dashboard')
    .description("print a one-time sign-in link to this workspace's running server")
    .option('--open', 'open it in the browser as well')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      exitCode = await (await import('./commands/dashboard-command.js')).dashboardCommand(options, context);
    });

  program
    .command('mcp')
    .description('serve ai-collab to MCP clients (Claude Code, Codex, Cursor…) on stdio')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      exitCode = await (await import('./commands/mcp-command.js')).mcpCommand(options, context, version());
    });

  program
    .command('review')
    .description(
      'review code or a unified diff with the reviewer swarm: the verdict, the score and each vote',
    )
    .argument('<file>', 'a source file or a diff file, or - to read from stdin')
    .option('--task <text>', 'what the code or change is meant to do (otherwise a general review)')
    .option('--json', 'print the result as one JSON object')
    .option('--db <path>', 'state database (its review cache answers identical reviews)')
    .action(async (file: string, options) => {
      exitCode = await (await import('./commands/review-command.js')).reviewCommand(file, options, context);
    });

  program
    .command('worker')
    .description(
      'run step attempts for coordinators on a Redis (ai-collab run … --redis URL), with the agents usable here',
    )
    .option('--redis <url>', 'the Redis the coordinators use (or AI_COLLAB_REDIS_URL, distributed.redis)')
    .option('--dir <dir>', 'where the cached clone and attempt worktrees live (default ./.ai-collab-worker)')
    .option('--agents <names>', 'comma-separated agents to offer (default: every agent usable here)')
    .option('-c, --concurrency <n>', 'attempts at once per agent (default 1)', positiveInteger)
    .option('--name <name>', 'name shown by ai-collab workers (default host-pid)')
    .option(
      '--lock-duration <ms>',
      "how long an attempt stays this worker's without a heartbeat before it runs elsewhere (default 30000)",
      lockDuration,
    )
    .action(async (options) => {
      exitCode = await (await import('./commands/worker-command.js')).workerCommand(options, context);
    });

  program
    .command('workers')
    .description(
      'list the workers registered on a Redis: name, host, agents, running attempts, last heartbeat',
    )
    .option('--redis <url>', 'the Redis (or AI_COLLAB_REDIS_URL, distributed.redis)')
    .option('--json', 'print a JSON object')
    .action(async (options) => {
      exitCode = await (await import('./commands/workers-command.js')).workersCommand(options, context);
    });

  // `--redis` on run, plan, resume and serve: Redis and the git endpoint are checked and opened before
  // the command opens its runtime, whose agents then run on workers.
  program.hook('preAction', async (_program, action) => {
    if (!['run', 'plan', 'resume', 'serve'].includes(action.name())) return;
    const options = action.opts<{ redis?: string; db?: string }>();
    context = await (await import('./distributed-context.js')).withDistributed(context, options);
  });

  program
    .command('doctor')
    .description('which agent CLIs and API keys are usable here, and why not')
    .option('--json', 'print a JSON object')
    .action(async (options) => {
      exitCode = await (await import('./commands/doctor-command.js')).doctorCommand(options, context);
    });

  try {
    await program.parseAsync(argv as string[], { from: 'node' });
    return exitCode;
  } catch (error) {
    return reportFailure(error, context);
  }
}

function reportFailure(error: unknown, context: CommandContext): number {
  const { stderr } = context.streams;
  if (error instanceof CommanderError) {
    // --help and --version end through here too, with exit code 0.
    return error.exitCode === 0 ? exitCodes.success : exitCodes.invalidInput;
  }
  // Messages quote what the user, a plan or a model gave (ids, names, output): printed inert.
  if (error instanceof PlannerError) {
    stderr.write(`ai-collab: ${terminalSafe(error.message)}\n`);
    for (const problem of error.problems) stderr.write(`  ${terminalSafe(problem)}\n`);
    return exitCodes.failure;
  }
  if (isInputError(error)) {
    stderr.write(`ai-collab: ${terminalSafe(error.message)}\n`);
    for (const problem of error.problems) stderr.write(`  ${terminalSafe(problem)}\n`);
    if (error.code === 'PLAN_INVALID') stderr.write('Nothing was run.\n');
    return exitCodes.invalidInput;
  }
  if (error instanceof OrchestratorError && error.code === 'USAGE') {
    stderr.write(`ai-collab: ${terminalSafe(error.message)}\n`);
    return exitCodes.invalidInput;
  }
  if (error instanceof OrchestratorError) {
    stderr.write(`ai-collab: ${terminalSafe(error.message)}\n`);
    return exitCodes.failure;
  }
  stderr.write(
    `ai-collab: unexpected error: ${terminalSafe(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`,
  );
  return exitCodes.failure;
}
