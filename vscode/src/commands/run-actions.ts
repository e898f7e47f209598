/** Approve or reject a waiting run from the Runs view (its inline buttons) or the approval notification. */
import * as vscode from 'vscode';
import type { RunsNode } from '../runs/runs-tree.js';
import { requireTrust } from './guard.js';
import type { Services } from './services.js';

export async function decideRun(
  services: Services,
  decision: 'approve' | 'reject',
  target: RunsNode | string | undefined,
): Promise<boolean> {
  // Approving starts agents.
  requireTrust(decision === 'approve' ? 'Approving a plan' : 'Rejecting a plan');
  const runId = typeof target === 'string' ? target : target?.runId;
  if (!runId) return false;
  await (await services.host.api()).decide(runId, decision);
  services.logger.info(`run ${decision === 'approve' ? 'approved' : 'rejected'}`, { runId });
  void vscode.window.setStatusBarMessage(
    `AI Collab: run ${runId} ${decision === 'approve' ? 'approved' : 'rejected'}`,
    5_000,
  );
  return true;
}
