/** Entry point of the command line: parses arguments, runs one command, returns its exit code. */
import { Command, CommanderError } from 'commander';
import { loadConfig } from '../config/load-config.js';
import { agentCatalogOf } from '../plan/agent-catalog.js';
import { PlannerError } from '../plan/planner/run-planner.js';
import { terminalSafe } from '../support/control-characters.js';
import { isInputError, OrchestratorError } from '../support/errors.js';
import type { CommandContext } from './commands/command-context.js';
import { exitCodes } from './exit-codes.js';
import { packageVersion } from './package-version.js';
import type { CliSession } from './program/cli-session.js';
import { defineDistributedCommands } from './program/distributed-commands.js';
import { defineRecordCommands } from './program/record-commands.js';
import { defineRunCommands } from './program/run-commands.js';
import { defineDoctorCommand, defineServerCommands } from './program/server-commands.js';
import { agentNames, openRuntime } from './runtime.js';

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
  const session: CliSession = {
    context: initialContext,
    exitCode: exitCodes.success,
    version: packageVersion,
  };
  const program = new Command('ai-collab')
    .description('Run plans of AI coding agents and shell steps as a parallel, durable DAG.')
    .version(packageVersion())
    .showHelpAfterError('(run ai-collab --help for usage)')
    .exitOverride()
    .configureOutput({
      writeOut: (text) => session.context.streams.stdout.write(text),
      writeErr: (text) => session.context.streams.stderr.write(text),
    });
  defineRunCommands(program, session);
  defineRecordCommands(program, session);
  defineServerCommands(program, session);
  defineDistributedCommands(program, session);
  defineDoctorCommand(program, session);

  try {
    await program.parseAsync([...argv], { from: 'node' });
    return session.exitCode;
  } catch (error) {
    return reportFailure(error, session.context);
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
  // A log this version cannot read as written (edited or damaged) is the user's to restore, like bad input.
  if (error instanceof OrchestratorError && (error.code === 'USAGE' || error.code === 'STORE_CORRUPT')) {
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
