/** What the commands share: the server, the runs view, logging, and the extension's storage. */
import type * as vscode from 'vscode';
import type { RunsController } from '../runs/runs-controller.js';
import type { ServerHost } from '../supervisor/server-host.js';
import type { Logger } from '../support/logger.js';

export interface Services {
  context: vscode.ExtensionContext;
  host: ServerHost;
  runs: RunsController;
  logger: Logger;
  /** "AI Collab: Review": each review's verdict and votes. */
  reviewOutput: vscode.OutputChannel;
  showLog(): void;
  openDashboard(): Promise<void>;
}

/** workspaceState key of the last plan the user planned or executed (its run id and name). */
export const lastPlanKey = 'aiCollab.lastPlan';

export interface LastPlan {
  runId: string;
  name: string;
}
