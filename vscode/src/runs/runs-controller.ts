/**
 * Wires the stream to what the user sees: messages fold into the RunsModel, which refreshes the Runs view,
 * the status bar and any open dashboard panel, and raises the approval prompt when a run starts waiting.
 */
import * as vscode from 'vscode';
import { ApiClient } from '../api/api-client.js';
import { StreamConnection } from '../api/stream-connection.js';
import type { ServerInfo } from '../supervisor/server-info.js';
import type { SupervisorState } from '../supervisor/server-supervisor.js';
import { errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { type ApprovalForecast, approvalForecast } from './approval-forecast.js';
import type { ApprovalPrompt } from './approval-prompt.js';
import { runsToFollow } from './follow-policy.js';
import { summarizeRuns } from './run-status.js';
import { RunsModel } from './runs-model.js';
import { type RunsNode, RunsTreeProvider } from './runs-tree.js';

/** Newest finished runs whose steps stay visible, and the most runs one connection follows. */
const followNewest = 10;
const followCap = 40;

export class RunsController implements vscode.Disposable {
  readonly model = new RunsModel();
  readonly #tree: RunsTreeProvider;
  readonly #view: vscode.TreeView<RunsNode>;
  readonly #stream: StreamConnection;
  readonly #statusBar: vscode.StatusBarItem;
  readonly #approvals: ApprovalPrompt;
  readonly #server: () => Promise<ServerInfo>;
  readonly #logger: Logger;
  /** What each run waiting for approval will likely cost, fetched when it starts waiting. */
  readonly #forecasts = new Map<string, ApprovalForecast>();
  readonly #onDidChange = new vscode.EventEmitter<void>();
  readonly onDidChange = this.#onDidChange.event;
  #serverState: SupervisorState = { kind: 'idle' };
  /** A run to reveal once the stream has brought it (a run just created is not in the model yet). */
  #pendingReveal: string | undefined;

  constructor(server: () => Promise<ServerInfo>, approvals: ApprovalPrompt, logger: Logger) {
    this.#approvals = approvals;
    this.#server = server;
    this.#logger = logger;
    this.#tree = new RunsTreeProvider(
      this.model,
      (runId) => this.#follow(runId),
      (runId) => this.#forecasts.get(runId),
    );
    this.#view = vscode.window.createTreeView('aiCollab.runs', {
      treeDataProvider: this.#tree,
      showCollapseAll: true,
    });
    this.#statusBar = vscode.window.createStatusBarItem(
      'aiCollab.status',
      vscode.StatusBarAlignment.Left,
      50,
    );
    this.#statusBar.name = 'AI Collab';
    this.#statusBar.command = 'aiCollab.runs.focus';
    this.#stream = new StreamConnection(
      { server, logger },
      {
        message: (message) => this.#receive(message),
        state: () => undefined,
      },
    );
    this.#render();
  }

  start(): void {
    this.#statusBar.show();
    this.#stream.start();
  }

  /** The server was restarted (or replaced): connect to the new one now. */
  reconnect(): void {
    this.#stream.reconnect();
  }

  setServerState(state: SupervisorState): void {
    this.#serverState = state;
    this.#render();
  }

  async reveal(runId: string): Promise<void> {
    this.#follow(runId);
    if (!this.model.get(runId)) {
      this.#pendingReveal = runId;
      return;
    }
    this.#pendingReveal = undefined;
    await this.#view.reveal(this.#tree.runNode(runId), { select: true, focus: false, expand: true });
  }

  dispose(): void {
    this.#stream.close();
    this.#view.dispose();
    this.#tree.dispose();
    this.#statusBar.dispose();
    this.#onDidChange.dispose();
  }

  #follow(runId: string): void {
    this.#stream.follow(runId, () => this.model.lastSeq(runId));
  }

  #receive(message: Parameters<RunsModel['apply']>[0]): void {
    if (message.type === 'error') {
      // The run is gone (or over the cap): stop asking, so a reconnect does not repeat the error.
      if (message.runId) this.#stream.unfollow(message.runId);
      return;
    }
    const change = this.model.apply(message);
    for (const runId of change.resync) this.#stream.resync(runId);
    if (change.changed.length > 0 || change.listReplaced) {
      const wanted = new Set(runsToFollow(this.model.list(), followNewest, followCap));
      for (const runId of this.#stream.followed) if (!wanted.has(runId)) this.#stream.unfollow(runId);
      for (const runId of wanted) this.#follow(runId);
      this.#tree.refresh();
      this.#render();
      this.#onDidChange.fire();
      const pending = this.#pendingReveal;
      if (pending && this.model.get(pending)) void this.reveal(pending);
    }
    for (const runId of change.awaitingApproval) void this.#askApproval(runId);
  }

  /** Fetches the run's forecast (shown on its steps in the Runs view), then raises the approval prompt. */
  async #askApproval(runId: string): Promise<void> {
    const forecast = await this.#forecastOf(runId);
    if (forecast) {
      this.#forecasts.set(runId, forecast);
      this.#tree.refresh();
    }
    const entry = this.model.get(runId);
    await this.#approvals.prompt(
      runId,
      entry?.summary.name ?? runId,
      entry?.state?.approvalReason,
      forecast?.headline,
    );
  }

  async #forecastOf(runId: string): Promise<ApprovalForecast | undefined> {
    try {
      return approvalForecast(await new ApiClient(await this.#server()).planOf(runId));
    } catch (error) {
      // The prompt still comes: a run can be approved without its forecast.
      this.#logger.warn('no forecast for the approval', { runId, reason: errorMessage(error) });
      return undefined;
    }
  }

  #render(): void {
    const server = this.#serverState;
    if (server.kind === 'crash-loop') {
      this.#statusBar.text = '$(error) AI Collab: server stopped';
      this.#statusBar.tooltip = server.message;
      this.#statusBar.backgroundColor = new vscode.ThemeColor('statusBarItem.errorBackground');
      return;
    }
    const summary = summarizeRuns(this.model.list());
    this.#statusBar.text = summary.text;
    this.#statusBar.tooltip =
      server.kind === 'running' ? summary.tooltip : `${summary.tooltip}\nserver: ${server.kind}`;
    this.#statusBar.backgroundColor =
      summary.kind === 'failed'
        ? new vscode.ThemeColor('statusBarItem.errorBackground')
        : summary.kind === 'approval'
          ? new vscode.ThemeColor('statusBarItem.warningBackground')
          : undefined;
  }
}
