/** In Restricted Mode: no server is started, and the commands that run agents refuse with an explanation. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import type { HostCase } from './index.js';

export const restrictedSuite: HostCase[] = [
  {
    name: 'the workspace is untrusted',
    run: async () => {
      if (vscode.workspace.isTrusted) throw new Error('expected Restricted Mode');
    },
  },
  {
    name: 'Plan Task, Execute Plan and Review Selection refuse to run',
    run: async () => {
      for (const [command, argument] of [
        ['aiCollab.planTask', 'a task'],
        ['aiCollab.executePlan', undefined],
        ['aiCollab.reviewSelection', undefined],
        ['aiCollab.approveRun', 'some-run'],
      ] as const) {
        const result = await vscode.commands.executeCommand(command, argument);
        if (result !== 'untrusted')
          throw new Error(`${command} returned ${JSON.stringify(result)}, expected "untrusted"`);
      }
    },
  },
  {
    name: 'no server is started in Restricted Mode',
    run: async (api) => {
      // Activation decides synchronously whether to start (serverState counts a start as soon as it is
      // asked for), and the commands above have run: nothing can have been started later.
      const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? '';
      if (api.serverState().kind !== 'idle') throw new Error(`supervisor is ${api.serverState().kind}`);
      if (existsSync(join(folder, '.ai-collab', 'server.json'))) throw new Error('a server.json appeared');
    },
  },
];
