/** AI Collab: Plan Task — a task in words → the planner's plan as a run, shown in the Runs view. */
import * as vscode from 'vscode';
import type { PlannedRun } from '../api/api-types.js';
import { readSettings } from '../config/settings.js';
import { requireTrust } from './guard.js';
import { type LastPlan, lastPlanKey, type Services } from './services.js';

export async function planTask(services: Services, presetTask?: string): Promise<PlannedRun | undefined> {
  requireTrust('Plan Task');
  const task =
    presetTask ??
    (await vscode.window.showInputBox({
      title: 'AI Collab: Plan Task',
      prompt: 'Describe the task; the planner turns it into a plan of steps for you to approve',
      placeHolder: 'e.g. Add input validation to the signup form and test it',
      ignoreFocusOut: true,
      validateInput: (value) => (value.trim().length === 0 ? 'Describe the task' : undefined),
    }));
  if (!task) return undefined;
  const planner = readSettings().planner.trim() || undefined;
  const planned = await vscode.window.withProgress(
    { location: vscode.ProgressLocation.Notification, title: 'AI Collab: planning…', cancellable: true },
    async (_progress, token) => {
      const api = await services.host.api();
      const abort = new AbortController();
      token.onCancellationRequested(() => abort.abort());
      return api.planTask(task.trim(), planner, { signal: abort.signal });
    },
  );
  const last: LastPlan = { runId: planned.runId, name: task.trim().slice(0, 80) };
  await services.context.workspaceState.update(lastPlanKey, last);
  services.logger.info('planned', { runId: planned.runId, status: planned.status });
  await services.runs.reveal(planned.runId);
  void vscode.window.showInformationMessage(plannedMessage(planned));
  return planned;
}

export function plannedMessage(planned: PlannedRun): string {
  const steps = Array.isArray(planned.steps) ? planned.steps.length : planned.steps;
  const confidence =
    typeof planned.confidence === 'number'
      ? planned.confidence
      : typeof planned.confidence?.overall === 'number'
        ? planned.confidence.overall
        : undefined;
  const parts = [`AI Collab planned run ${planned.runId}`];
  if (steps !== undefined) parts.push(`${steps} steps`);
  if (confidence !== undefined) parts.push(`confidence ${confidence.toFixed(2)}`);
  if (planned.risks && planned.risks.length > 0) parts.push(`${planned.risks.length} risks`);
  return `${parts.join(', ')} — ${planned.status.replace('_', ' ')}.`;
}
