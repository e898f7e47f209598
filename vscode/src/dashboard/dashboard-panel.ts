/**
 * AI Collab: Open Dashboard — a webview with the runs and their steps, live, and a button that opens the
 * full dashboard in the browser through a fresh one-time sign-in link (asExternalUri, so it also works
 * when VS Code runs remotely). The token itself never goes into a URL or the webview.
 */
import { randomBytes } from 'node:crypto';
import * as vscode from 'vscode';
import type { RunsController } from '../runs/runs-controller.js';
import type { ServerHost } from '../supervisor/server-host.js';
import { errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { dashboardHtml } from './dashboard-html.js';

export class DashboardPanel implements vscode.Disposable {
  readonly #host: ServerHost;
  readonly #runs: RunsController;
  readonly #logger: Logger;
  #panel: vscode.WebviewPanel | undefined;
  #subscriptions: vscode.Disposable[] = [];

  constructor(host: ServerHost, runs: RunsController, logger: Logger) {
    this.#host = host;
    this.#runs = runs;
    this.#logger = logger;
  }

  show(): void {
    if (this.#panel) {
      this.#panel.reveal();
      return;
    }
    const panel = vscode.window.createWebviewPanel(
      'aiCollab.dashboard',
      'AI Collab',
      vscode.ViewColumn.Active,
      {
        enableScripts: true,
        localResourceRoots: [],
        retainContextWhenHidden: false,
      },
    );
    this.#panel = panel;
    this.#subscriptions = [
      this.#runs.onDidChange(() => this.#render()),
      panel.webview.onDidReceiveMessage((message: unknown) => {
        if (isOpenFull(message)) void this.openExternal();
      }),
      panel.onDidDispose(() => {
        for (const subscription of this.#subscriptions) subscription.dispose();
        this.#subscriptions = [];
        this.#panel = undefined;
      }),
    ];
    this.#render();
  }

  /** The full dashboard in the browser, signed in with a one-time code that expires within minutes. */
  async openExternal(): Promise<boolean> {
    try {
      const link = await (await this.#host.api()).loginLink();
      const external = await vscode.env.asExternalUri(vscode.Uri.parse(link.url));
      return await vscode.env.openExternal(external);
    } catch (error) {
      this.#logger.error('could not open the dashboard', { reason: errorMessage(error) });
      void vscode.window.showErrorMessage(`AI Collab: could not open the dashboard: ${errorMessage(error)}`);
      return false;
    }
  }

  dispose(): void {
    this.#panel?.dispose();
  }

  #render(): void {
    const panel = this.#panel;
    if (!panel) return;
    const nonce = randomBytes(16).toString('base64');
    panel.webview.html = dashboardHtml(this.#runs.model.list(), nonce, panel.webview.cspSource);
  }
}

function isOpenFull(message: unknown): boolean {
  return (
    typeof message === 'object' && message !== null && (message as { type?: unknown }).type === 'open-full'
  );
}
