/** The commands on recorded runs: list and show them, land or discard their branches, decide approvals. */
import type { Command } from 'commander';
import type { CliSession } from './cli-session.js';

export function defineRecordCommands(program: Command, session: CliSession): void {
  program
    .command('runs')
    .description('list runs of this workspace, newest first')
    .option('--all', 'runs of every workspace in the database')
    .option('--json', 'print a JSON array')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      const { runsCommand } = await import('../commands/runs-command.js');
      session.exitCode = await runsCommand(options, session.context);
    });

  program
    .command('status')
    .description('show one run and its steps')
    .argument('<runId>', 'the run')
    .option('--json', 'print a JSON object')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      const { statusCommand } = await import('../commands/status-command.js');
      session.exitCode = await statusCommand(runId, options, session.context);
    });

  program
    .command('apply')
    .description(
      "land a run's branch on your current branch (fast-forward or merge; never with your uncommitted changes at risk)",
    )
    .argument('<runId>', 'the run')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      const { applyCommand } = await import('../commands/apply-command.js');
      session.exitCode = await applyCommand(runId, options, session.context);
    });

  program
    .command('discard')
    .description("remove a run's branch, kept step branches and worktrees")
    .argument('<runId>', 'the run')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      const { discardCommand } = await import('../commands/apply-command.js');
      session.exitCode = await discardCommand(runId, options, session.context);
    });

  defineDecisionCommands(program, session);
}

/** approve and reject: the decision on a plan that waits for approval. */
function defineDecisionCommands(program: Command, session: CliSession): void {
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
      const { decideCommand } = await import('../commands/decide-command.js');
      session.exitCode = await decideCommand('approved', runId, options, session.context);
    });

  program
    .command('reject')
    .description('reject a plan that waits for approval (the run ends cancelled)')
    .argument('<runId>', 'the run')
    .option('--reason <text>', 'why, for the record')
    .option('--json', 'print the run as one JSON object on stdout')
    .option('--db <path>', 'state database')
    .action(async (runId: string, options) => {
      const { decideCommand } = await import('../commands/decide-command.js');
      session.exitCode = await decideCommand('rejected', runId, options, session.context);
    });
}
