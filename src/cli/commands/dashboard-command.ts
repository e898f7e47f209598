/** `ai-collab dashboard`: a fresh one-time sign-in link to the server of this workspace. */
import { requestDashboardLink } from '../../server/index.js';
import { exitCodes } from '../exit-codes.js';
import { openInBrowser } from '../open-browser.js';
import { resolveStatePaths } from '../state-paths.js';
import type { CommandContext } from './command-context.js';

export async function dashboardCommand(
  options: { db?: string; open?: boolean },
  context: CommandContext,
): Promise<number> {
  const paths = resolveStatePaths(context.cwd, { db: options.db }, context.environment);
  const link = await requestDashboardLink(paths.stateDir);
  context.streams.stdout.write(`${link.url}\n`);
  context.streams.stderr.write(
    `valid once, until ${new Date(link.expiresAt).toLocaleTimeString()}; open it in a browser on this machine\n`,
  );
  if (options.open) await openInBrowser(link.url, context.environment);
  return exitCodes.success;
}
