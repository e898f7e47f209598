/** The command table: every contributed command, each through the guard. */
import * as vscode from 'vscode';
import type { RunsNode } from '../runs/runs-tree.js';
import { configure, setApiKey } from './configure.js';
import { executePlan } from './execute-plan.js';
import { guarded } from './guard.js';
import { planTask } from './plan-task.js';
import { reviewSelection } from './review-selection.js';
import { decideRun } from './run-actions.js';
import type { Services } from './services.js';

export const commandIds = [
  'aiCollab.planTask',
  'aiCollab.executePlan',
  'aiCollab.reviewSelection',
  'aiCollab.openDashboard',
  'aiCollab.configure',
  'aiCollab.setApiKey',
  'aiCollab.restartServer',
  'aiCollab.showLog',
  'aiCollab.approveRun',
  'aiCollab.rejectRun',
  'aiCollab.refreshRuns',
] as const;

type CommandId = (typeof commandIds)[number];

export function registerCommands(services: Services): vscode.Disposable[] {
  const { logger } = services;
  const table: Record<CommandId, (...args: never[]) => unknown> = {
    'aiCollab.planTask': guarded(logger, 'Plan Task', (task?: string) => planTask(services, task)),
    'aiCollab.executePlan': guarded(logger, 'Execute Plan', (uri?: vscode.Uri) => executePlan(services, uri)),
    'aiCollab.reviewSelection': guarded(logger, 'Review Selection', () => reviewSelection(services)),
    'aiCollab.openDashboard': guarded(logger, 'Open Dashboard', () => services.openDashboard()),
    'aiCollab.configure': guarded(logger, 'Configure', () => configure()),
    'aiCollab.setApiKey': guarded(logger, 'Set API Key', () => setApiKey(services)),
    'aiCollab.restartServer': guarded(logger, 'Restart Server', async () => {
      if (!vscode.workspace.isTrusted) return;
      await services.host.restart();
      services.runs.reconnect();
    }),
    'aiCollab.showLog': async () => services.showLog(),
    'aiCollab.approveRun': guarded(logger, 'Approve', (target?: RunsNode | string) =>
      decideRun(services, 'approve', target),
    ),
    'aiCollab.rejectRun': guarded(logger, 'Reject', (target?: RunsNode | string) =>
      decideRun(services, 'reject', target),
    ),
    'aiCollab.refreshRuns': async () => services.runs.reconnect(),
  };
  return commandIds.map((id) => vscode.commands.registerCommand(id, table[id]));
}
