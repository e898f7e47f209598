/**
 * The notification shown when a run waits for approval: what it will likely cost (the forecast's headline;
 * each step's forecast is in the Runs view), and Approve / Reject / Open, once per run.
 */
import * as vscode from 'vscode';
import { errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';
import { approvalMessage } from './approval-forecast.js';

export interface ApprovalActions {
  approve(runId: string): Promise<void>;
  reject(runId: string): Promise<void>;
  open(runId: string): Promise<void>;
}

export class ApprovalPrompt {
  readonly #actions: ApprovalActions;
  readonly #logger: Logger;
  readonly #prompted = new Set<string>();

  constructor(actions: ApprovalActions, logger: Logger) {
    this.#actions = actions;
    this.#logger = logger;
  }

  /** Shows the prompt unless this run was already prompted for; resolves when the user has chosen. */
  async prompt(runId: string, name: string, reason: string | undefined, forecast?: string): Promise<void> {
    if (this.#prompted.has(runId)) return;
    this.#prompted.add(runId);
    const choice = await vscode.window.showInformationMessage(
      approvalMessage(name, reason, forecast),
      'Approve',
      'Reject',
      'Open',
    );
    try {
      if (choice === 'Approve') await this.#actions.approve(runId);
      else if (choice === 'Reject') await this.#actions.reject(runId);
      else if (choice === 'Open') await this.#actions.open(runId);
    } catch (error) {
      this.#logger.error('approval action failed', { runId, choice, reason: errorMessage(error) });
      void vscode.window.showErrorMessage(`AI Collab: ${errorMessage(error)}`);
    }
  }
}
