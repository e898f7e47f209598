/** Entry point of the command line: parses arguments, runs one command, returns its exit code. */
import { Command, CommanderError } from 'commander';
import { PlannerError } from '../plan/planner/planner-error.js';
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

/**
 * Without `initialContext` (a terminal, not a test), the context is made once a command is about to run:
 * `--version` and `--help` load nothing but the argument parser.
 */
export async function main(argv: readonly string[], initialContext?: CommandContext): Promise<number> {
  const session: CliSession = {
    context: initialContext ?? pendingContext({ stdout: process.stdout, stderr: process.stderr }),
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
  // Registered first: the other hooks (distributed mode) read the context.
  program.hook('preAction', async () => {
    if (initialContext) return;
    const { defaultContext } = await import('./default-context.js');
    session.context = defaultContext(session.context.streams);
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

/** Stands in, with the real streams, until the command's context is loaded (before any action runs). */
function pendingContext(streams: CommandContext['streams']): CommandContext {
  const notYet = (): never => {
    throw new OrchestratorError('INTERNAL', 'the command context was used before it was loaded');
  };
  return {
    cwd: process.cwd(),
    environment: process.env,
    streams,
    loadConfig: notYet,
    agentCatalog: notYet,
    openRuntime: notYet,
  };
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
