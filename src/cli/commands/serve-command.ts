/**
 * `ai-collab serve`: the dashboard, the JSON API, the WebSocket stream and MCP over HTTP for this workspace,
 * until SIGINT or SIGTERM. Runs started through it execute in this process; on stop they get the grace
 * period to finish and otherwise stay resumable (`ai-collab resume`).
 */
import { readServerFile } from '../../server/index.js';
import { errorCode } from '../../support/error-code.js';
import { InputError } from '../../support/errors.js';
import { dashboardNotice, type ServeFlags, startDashboardServer } from '../dashboard-server.js';
import { exitCodes } from '../exit-codes.js';
import { createFrontEndActions } from '../front-end-actions.js';
import { openInBrowser } from '../open-browser.js';
import { reapOrphans } from '../runtime.js';
import type { CommandContext } from './command-context.js';

export interface ServeOptions extends ServeFlags {
  db?: string;
  /** `--open`: open the one-time sign-in link in the browser. */
  open?: boolean;
}

export async function serveCommand(
  options: ServeOptions,
  context: CommandContext,
  version: string,
): Promise<number> {
  const config = context.loadConfig();
  const runtime = await context.openRuntime(config, options.db);
  try {
    refuseSecondServer(runtime.paths.stateDir);
    await reapOrphans(runtime);
    const actions = createFrontEndActions(runtime, context.cwd, context.environment);
    const server = await startDashboardServer(runtime, actions, context.environment, version, options);
    // The one line on stdout, for scripts and the VS Code extension waiting for the server to be up.
    context.streams.stdout.write(`listening on ${server.url}\n`);
    context.streams.stderr.write(`${dashboardNotice(server)}\n`);
    if (options.open) {
      await openInBrowser(server.loginUrl(), context.environment).catch((error: unknown) =>
        context.streams.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`),
      );
    }
    const signal = await untilStopped(() => {
      context.streams.stderr.write('stopping running steps now\n');
      runtime.engine.stopAll('immediate', 'the server was stopped');
    });
    context.streams.stderr.write(
      `${signal}: the server stops; running steps get ${Math.round(config.interruptGraceMs / 1000)}s to finish (again to stop them now)\n`,
    );
    await server.close();
    await actions.drain('the server was stopped', config.interruptGraceMs);
    return exitCodes.success;
  } finally {
    await runtime.close();
  }
}

function refuseSecondServer(stateDir: string): void {
  const running = readServerFile(stateDir);
  if (!running || running.pid === process.pid || !isAlive(running.pid)) return;
  throw new InputError(
    'USAGE',
    `a server for this workspace is already running at ${running.url} (pid ${running.pid}); use it (\`ai-collab dashboard\` prints a sign-in link) or stop it first`,
  );
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return errorCode(error) === 'EPERM';
  }
}

/** Resolves with the first stop signal; a second one calls `again` (stop running steps at once). */
function untilStopped(again: () => void): Promise<NodeJS.Signals> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals): void => {
      if (stopping) {
        for (const name of signals) process.off(name, onSignal);
        again();
        return;
      }
      stopping = true;
      resolve(signal);
    };
    for (const name of signals) process.on(name, onSignal);
  });
}
