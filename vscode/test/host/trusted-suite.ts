/** In a trusted workspace: the supervisor starts or reuses the server, and a plan runs through it into the Runs model. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostCase } from './index.js';
import { waitUntil } from './wait-until.js';

function workspace(): string {
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (!folder) throw new Error('no workspace folder is open');
  return folder;
}

export const trustedSuite: HostCase[] = [
  {
    name: 'the workspace is trusted',
    run: async () => {
      if (!vscode.workspace.isTrusted) throw new Error('expected a trusted workspace');
    },
  },
  {
    name: 'the supervisor has a running server named by the 0600 server.json (reused when one was running)',
    run: async (api) => {
      const state = await waitUntil('a running server', () => {
        const current = api.serverState();
        return current.kind === 'running' ? current : undefined;
      });
      const file = JSON.parse(readFileSync(join(workspace(), '.ai-collab', 'server.json'), 'utf8')) as {
        pid: number;
        url: string;
      };
      if (file.url !== state.url || file.pid !== state.pid)
        throw new Error(`server.json names ${file.url}, the supervisor ${state.url}`);
      const expectReuse = process.env.AI_COLLAB_EXPECT_REUSE === '1';
      if (expectReuse && state.owned !== false)
        throw new Error('expected the running server to be reused, not a new one started');
      if (expectReuse && api.ownedServerPid() !== undefined)
        throw new Error('a reused server must not be owned');
    },
  },
  {
    name: 'Execute Plan on a plan file starts a run that the Runs model follows to success',
    run: async (api) => {
      const uri = vscode.Uri.file(join(workspace(), 'shell-plan.yaml'));
      const started = (await vscode.commands.executeCommand('aiCollab.executePlan', uri)) as
        | { runId?: string }
        | undefined;
      const runId = started?.runId;
      if (!runId) throw new Error(`executePlan returned ${JSON.stringify(started)}`);
      await waitUntil('the run in the Runs model', () => (api.runIds().includes(runId) ? true : undefined));
    },
  },
];
