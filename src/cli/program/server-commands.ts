/** The commands that serve or answer other front ends: serve, dashboard, mcp, review and doctor. */
import type { Command } from 'commander';
import type { CliSession } from './cli-session.js';
import { tcpPort } from './option-parsers.js';
import { redisOption } from './run-commands.js';

export function defineServerCommands(program: Command, session: CliSession): void {
  program
    .command('serve')
    .description('serve the dashboard, the JSON API, the live stream and MCP over HTTP for this workspace')
    .option('-p, --port <port>', 'TCP port (default: a free one)', tcpPort)
    .option('--host <address>', 'address to listen on', '127.0.0.1')
    .option('--allow-remote', 'allow a non-loopback --host (the token is still required)')
    .option('--open', 'open the dashboard in the browser')
    .option(...redisOption)
    .option('--db <path>', 'state database')
    .action(async (options) => {
      const { serveCommand } = await import('../commands/serve-command.js');
      session.exitCode = await serveCommand(options, session.context, session.version());
    });

  program
    .command('dashboard')
    .description("print a one-time sign-in link to this workspace's running server")
    .option('--open', 'open it in the browser as well')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      const { dashboardCommand } = await import('../commands/dashboard-command.js');
      session.exitCode = await dashboardCommand(options, session.context);
    });

  program
    .command('mcp')
    .description('serve ai-collab to MCP clients (Claude Code, Codex, Cursor…) on stdio')
    .option('--db <path>', 'state database')
    .action(async (options) => {
      const { mcpCommand } = await import('../commands/mcp-command.js');
      session.exitCode = await mcpCommand(options, session.context, session.version());
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
      const { reviewCommand } = await import('../commands/review-command.js');
      session.exitCode = await reviewCommand(file, options, session.context);
    });
}

export function defineDoctorCommand(program: Command, session: CliSession): void {
  program
    .command('doctor')
    .description('which agent CLIs and API keys are usable here, and why not')
    .option('--json', 'print a JSON object')
    .action(async (options) => {
      const { doctorCommand } = await import('../commands/doctor-command.js');
      session.exitCode = await doctorCommand(options, session.context);
    });
}
