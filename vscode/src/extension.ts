/**
 * Composition root: builds the services, registers the commands and views, and starts the supervised
 * server in trusted workspaces only. Logic lives in the modules; this file only wires them.
 */
import * as vscode from 'vscode';
import { customKeyNamesKey } from './commands/configure.js';
import { registerCommands } from './commands/register-commands.js';
import type { Services } from './commands/services.js';
import { readSettings, serverSettings } from './config/settings.js';
import { usesAiCollab } from './config/workspace-markers.js';
import { DashboardPanel } from './dashboard/dashboard-panel.js';
import { ApprovalPrompt } from './runs/approval-prompt.js';
import { RunsController } from './runs/runs-controller.js';
import { ServerHost } from './supervisor/server-host.js';
import type { SupervisorState } from './supervisor/server-supervisor.js';
import { ExtensionError } from './support/errors.js';
import { createOutputLogger } from './support/output-logger.js';

/** What the extension exports: read-only facts for tests and other extensions. Never the token. */
export interface AiCollabApi {
  serverState(): { kind: SupervisorState['kind']; owned?: boolean; url?: string; pid?: number };
  /** The pid of the server this window started, if it started one. */
  ownedServerPid(): number | undefined;
  runIds(): string[];
}

let host: ServerHost | undefined;

export function activate(context: vscode.ExtensionContext): AiCollabApi {
  const log = vscode.window.createOutputChannel('AI Collab', { log: true });
  const reviewOutput = vscode.window.createOutputChannel('AI Collab: Review');
  const secrets = (): string[] => [...(host?.secrets ?? [])];
  const logger = createOutputLogger(log, secrets);
  const workspace = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  const serverHost = new ServerHost({
    workspace: workspace ?? '',
    secrets: context.secrets,
    customKeyNames: () => context.globalState.get<string[]>(customKeyNamesKey, []),
    logger,
    showLog: () => log.show(),
  });
  host = serverHost;
  const server = async () => {
    if (!workspace)
      throw new ExtensionError('USAGE', 'open a folder first: AI Collab works on a workspace folder');
    return serverHost.ready();
  };
  let dashboard: DashboardPanel | undefined;
  const approvals = new ApprovalPrompt(
    {
      approve: async (runId) => void (await vscode.commands.executeCommand('aiCollab.approveRun', runId)),
      reject: async (runId) => void (await vscode.commands.executeCommand('aiCollab.rejectRun', runId)),
      open: async (runId) => {
        await runs.reveal(runId);
        dashboard?.show();
      },
    },
    logger,
  );
  const runs = new RunsController(server, approvals, logger);
  dashboard = new DashboardPanel(serverHost, runs, logger);
  const panel = dashboard;
  const services: Services = {
    context,
    host: serverHost,
    runs,
    logger,
    reviewOutput,
    showLog: () => log.show(),
    openDashboard: async () => panel.show(),
  };
  let lastUrl: string | undefined;
  context.subscriptions.push(
    log,
    reviewOutput,
    runs,
    panel,
    serverHost,
    ...registerCommands(services),
    serverHost.onDidChangeState((state) => {
      runs.setServerState(state);
      // A server started on demand by a command: the Runs view follows it from then on.
      if (state.kind === 'running') followRuns();
      if (state.kind === 'running' && state.server.url !== lastUrl) {
        // A restarted server listens on a new port: follow it at once rather than after a failed reconnect.
        if (lastUrl !== undefined) runs.reconnect();
        lastUrl = state.server.url;
      }
    }),
    vscode.workspace.onDidChangeConfiguration((event) => {
      if (serverSettings.some((key) => event.affectsConfiguration(key))) void offerRestart(serverHost);
    }),
  );
  let streaming = false;
  const followRuns = (): void => {
    if (streaming) return;
    streaming = true;
    runs.start();
  };
  const begin = (): void => {
    if (!workspace || !readSettings().autoStart) return;
    // Only where ai-collab is used: other folders get no server (and no error) until a command needs one.
    if (!usesAiCollab(workspace)) {
      logger.info('no ai-collab.config.yaml or .ai-collab/ here: the server starts with the first command');
      return;
    }
    void serverHost.start();
    followRuns();
  };
  if (vscode.workspace.isTrusted) begin();
  else {
    logger.info('Restricted Mode: no server is started and no agent runs until the workspace is trusted');
    context.subscriptions.push(vscode.workspace.onDidGrantWorkspaceTrust(begin));
  }
  return {
    serverState: () => {
      // A start under way reads its options first: it counts as starting from the moment it was asked for.
      const state = serverHost.supervisor?.state ?? {
        kind: serverHost.startRequested ? ('starting' as const) : ('idle' as const),
      };
      return state.kind === 'running'
        ? { kind: state.kind, owned: state.owned, url: state.server.url, pid: state.server.pid }
        : { kind: state.kind };
    },
    ownedServerPid: () => serverHost.supervisor?.ownedPid,
    runIds: () => runs.model.list().map((entry) => entry.summary.runId),
  };
}

/** VS Code waits for this promise (a few seconds): the server this window started stops gracefully. */
export async function deactivate(): Promise<void> {
  await host?.stop();
  host = undefined;
}

async function offerRestart(serverHost: ServerHost): Promise<void> {
  const state = serverHost.supervisor?.state;
  if (state?.kind !== 'running' || !state.owned) return;
  const choice = await vscode.window.showInformationMessage(
    'AI Collab: the server reads these settings when it starts. Restart it now? (Running runs stop gracefully and stay resumable.)',
    'Restart Server',
  );
  if (choice) await vscode.commands.executeCommand('aiCollab.restartServer');
}
