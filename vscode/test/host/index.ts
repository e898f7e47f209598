/**
 * Extension-host tests: run inside a real VS Code (code-server) by `extensionTestsPath`, against the
 * extension loaded from `extensionDevelopmentPath`. Pass/fail goes to the file named by
 * AI_COLLAB_HOST_TEST_RESULT (the browser page just closes, so an exit code would be lost).
 * AI_COLLAB_HOST_TEST_MODE picks the suite: `trusted` (default) or `restricted`.
 */
import { writeFileSync } from 'node:fs';
import * as vscode from 'vscode';
import { commandIds } from '../../src/commands/register-commands.js';
import type { AiCollabApi } from '../../src/extension.js';
import { restrictedSuite } from './restricted-suite.js';
import { trustedSuite } from './trusted-suite.js';

export interface HostCase {
  name: string;
  run(api: AiCollabApi): Promise<void>;
}

export async function run(): Promise<void> {
  const resultFile = process.env.AI_COLLAB_HOST_TEST_RESULT ?? '/tmp/ai-collab-host-test-result.txt';
  const mode = process.env.AI_COLLAB_HOST_TEST_MODE ?? 'trusted';
  const lines: string[] = [];
  let failed = 0;
  try {
    const extension = vscode.extensions.getExtension<AiCollabApi>('ai-collab.ai-collab');
    if (!extension) throw new Error('the extension ai-collab.ai-collab is not installed in this host');
    const api = await extension.activate();
    const cases: HostCase[] = [
      {
        name: 'every command is registered',
        run: async () => {
          const registered = new Set(await vscode.commands.getCommands(true));
          const missing = commandIds.filter((id) => !registered.has(id));
          if (missing.length > 0) throw new Error(`not registered: ${missing.join(', ')}`);
        },
      },
      ...(mode === 'restricted' ? restrictedSuite : trustedSuite),
    ];
    for (const hostCase of cases) {
      const started = Date.now();
      try {
        await hostCase.run(api);
        lines.push(`ok ${hostCase.name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed++;
        lines.push(`not ok ${hostCase.name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } catch (error) {
    failed++;
    lines.push(`not ok setup: ${error instanceof Error ? error.message : String(error)}`);
  }
  writeFileSync(resultFile, `${failed === 0 ? 'PASS' : 'FAIL'} ${mode}\n${lines.join('\n')}\n`);
  if (failed > 0) throw new Error(`${failed} host test(s) failed`);
}
