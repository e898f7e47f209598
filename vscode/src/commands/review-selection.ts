/** AI Collab: Review Selection — the reviewer swarm on the selected code; verdict and each vote in an output channel. */
import { relative } from 'node:path';
import * as vscode from 'vscode';
import type { ReviewResult } from '../api/api-types.js';
import { formatReviewReport, reviewHeadline } from '../review/review-report.js';
import { ExtensionError } from '../support/errors.js';
import { requireTrust } from './guard.js';
import type { Services } from './services.js';

export async function reviewSelection(services: Services): Promise<ReviewResult | undefined> {
  requireTrust('Review Selection');
  const editor = vscode.window.activeTextEditor;
  if (!editor) throw new ExtensionError('USAGE', 'open a file and select the code to review');
  const selection = editor.selection;
  const code = editor.document.getText(selection.isEmpty ? undefined : selection);
  if (code.trim().length === 0) throw new ExtensionError('USAGE', 'select the code to review');
  const folder = vscode.workspace.getWorkspaceFolder(editor.document.uri);
  const path = folder ? relative(folder.uri.fsPath, editor.document.fileName) : editor.document.fileName;
  const lines = selection.isEmpty ? '' : `:${selection.start.line + 1}-${selection.end.line + 1}`;
  const result = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'AI Collab: reviewing…', cancellable: true },
    async (_progress, token) => {
      const api = await services.host.api();
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return api.review({ code, path, language: editor.document.languageId }, { signal: abort.signal });
    },
  );
  services.reviewOutput.append(formatReviewReport(result, `${path}${lines}`));
  services.reviewOutput.show(true);
  const headline = reviewHeadline(result);
  if (result.verdict === 'approved') void vscode.window.showInformationMessage(headline);
  else void vscode.window.showWarningMessage(headline);
  return result;
}
