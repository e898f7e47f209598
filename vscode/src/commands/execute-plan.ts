/**
 * AI Collab: Execute Plan — the plan in the active editor (.yaml, .yml, .json; unsaved edits included),
 * else a picked file, else the last plan; invalid plans come back with each problem listed.
 */
import { extname, relative } from 'node:path';
import * as vscode from 'vscode';
import type { StartedRun } from '../api/api-types.js';
import { ExtensionError } from '../support/errors.js';
import { requireTrust } from './guard.js';
import { type LastPlan, lastPlanKey, type Services } from './services.js';

const planExtensions: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);

interface PlanSource {
  text: string;
  file: string | undefined;
  name: string;
}

export async function executePlan(services: Services, uri?: vscode.Uri): Promise<StartedRun | undefined> {
  requireTrust('Execute Plan');
  const source = await choosePlan(services, uri);
  if (!source) return undefined;
  const api = await services.host.api();
  const started = await api.runPlan(source.text, source.file);
  const last: LastPlan = { runId: started.runId, name: source.name };
  await services.context.workspaceState.update(lastPlanKey, last);
  services.logger.info('plan started', { runId: started.runId, file: source.file });
  await services.runs.reveal(started.runId);
  void vscode.window.showInformationMessage(
    `AI Collab: ${source.name} started as run ${started.runId} (${started.status}).`,
  );
  return started;
}

async function choosePlan(services: Services, uri: vscode.Uri | undefined): Promise<PlanSource | undefined> {
  if (uri) return fromDocument(await vscode.workspace.openTextDocument(uri));
  const document = vscode.window.activeTextEditor?.document;
  if (document && planExtensions.has(extname(document.fileName).toLowerCase())) return fromDocument(document);
  const last = services.context.workspaceState.get<LastPlan>(lastPlanKey);
  const pickFile = 'Pick a plan file…';
  const choices = last ? [pickFile, `Last plan: ${last.name} (run ${last.runId})`] : [pickFile];
  const choice =
    choices.length === 1
      ? pickFile
      : await vscode.window.showQuickPick(choices, { title: 'AI Collab: Execute Plan' });
  if (!choice) return undefined;
  if (choice === pickFile) {
    const picked = await vscode.window.showOpenDialog({
      canSelectMany: false,
      openLabel: 'Execute Plan',
      filters: { 'Plan files': ['yaml', 'yml', 'json'] },
      ...(workspaceFolder() && { defaultUri: workspaceFolder() }),
    });
    const file = picked?.[0];
    return file ? fromDocument(await vscode.workspace.openTextDocument(file)) : undefined;
  }
  if (!last) return undefined;
  const plan = await (await services.host.api()).planOf(last.runId);
  return { text: plan.yaml, file: undefined, name: last.name };
}

function fromDocument(document: vscode.TextDocument): PlanSource {
  const text = document.getText();
  if (text.trim().length === 0) throw new ExtensionError('USAGE', `${document.fileName} is empty`);
  const folder = workspaceFolder();
  const file = document.isUntitled
    ? undefined
    : folder
      ? relative(folder.fsPath, document.fileName)
      : document.fileName;
  return { text, file, name: file ?? 'untitled plan' };
}

function workspaceFolder(): vscode.Uri | undefined {
  return vscode.workspace.workspaceFolders?.[0]?.uri;
}
