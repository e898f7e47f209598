/** What the command definitions share while one command line runs: its context and its exit code. */
import type { CommandContext } from '../commands/command-context.js';

export interface CliSession {
  /** Replaced before a command runs when `--redis` makes its agents run on workers. */
  context: CommandContext;
  exitCode: number;
  readonly version: () => string;
}
