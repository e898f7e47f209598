/**
 * Every command runs through here: Restricted Mode is checked before anything that runs agents, and every
 * failure becomes one clear message (with each detail, e.g. each plan problem) instead of a silent rejection.
 */
import * as vscode from 'vscode';
import { ExtensionError, errorMessage } from '../support/errors.js';
import type { Logger } from '../support/logger.js';

/** What a refused command returns, so callers (and the extension-host tests) can tell it apart. */
export const refusedUntrusted = 'untrusted' as const;

export function requireTrust(action: string): void {
  if (vscode.workspace.isTrusted) return;
  throw new ExtensionError(
    'UNTRUSTED',
    `${action} runs AI agents that can change files and execute commands, so it is disabled in Restricted Mode. Trust this workspace to use it.`,
  );
}

export function guarded<A extends unknown[], R>(
  logger: Logger,
  name: string,
  body: (...args: A) => Promise<R>,
): (...args: A) => Promise<R | typeof refusedUntrusted | undefined> {
  return async (...args: A) => {
    try {
      return await body(...args);
    } catch (error) {
      report(logger, name, error);
      return error instanceof ExtensionError && error.code === 'UNTRUSTED' ? refusedUntrusted : undefined;
    }
  };
}

/** Shows the failure without waiting for the user: a command must settle even if the message is never dismissed. */
function report(logger: Logger, name: string, error: unknown): void {
  logger.error(`${name} failed`, { reason: errorMessage(error) });
  if (error instanceof ExtensionError && error.code === 'UNTRUSTED') {
    void vscode.window.showWarningMessage(error.message, 'Manage Workspace Trust').then((choice) => {
      if (choice) void vscode.commands.executeCommand('workbench.trust.manage');
    });
    return;
  }
  const details = error instanceof ExtensionError ? error.details : [];
  if (details.length > 0) {
    // A modal is the one message that shows several lines: one per problem.
    void vscode.window.showErrorMessage(`AI Collab: ${errorMessage(error)}`, {
      modal: true,
      detail: details.map((line) => `• ${line}`).join('\n'),
    });
    return;
  }
  void vscode.window.showErrorMessage(`AI Collab: ${errorMessage(error)}`);
}
