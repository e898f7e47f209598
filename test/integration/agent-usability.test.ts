/**
 * A step whose agent stops being usable during a run (its CLI deleted after the run started) fails at
 * once with doctor's reason and fix: no process is started for it, no retry is spent, nothing hangs.
 */
import assert from 'node:assert/strict';
import { symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { agentCliBinaries, agentCliMissing } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import { type ModelServer, startModelServer, text } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { claudeConfigYaml } from './claude-harness.js';

const skip = agentCliMissing('claude');
let server: ModelServer;

before(async () => {
  if (skip) return;
  server = await startModelServer({ script: () => text('Summarised. DONE-MARKER') });
});
after(async () => {
  await server?.close();
});

test('a step whose agent CLI was deleted after the run started fails at once with doctor’s reason and fix', {
  skip,
}, async () => {
  const workspace = tempDir();
  // The agent's CLI is a link to the real claude; the run's first step deletes it.
  const cli = join(tempDir('ai-collab-cli-'), 'claude-here');
  symlinkSync(agentCliBinaries.claude, cli);
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 1s\nagents:\n${claudeConfigYaml(server.url, { name: 'gone', adapter: true, command: cli })}`,
  );
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - { id: uninstall, run: "rm ${cli}" }
  - { id: summary, agent: gone, action: analyze, retries: 3, needs: [uninstall], prompt: "Summarise the repository" }
`,
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: workspace });
  assert.equal(result.code, 1, result.stderr);
  const report = JSON.parse(result.stdout) as RunReport;
  const [uninstall, summary] = report.steps;
  assert.equal(uninstall?.status, 'succeeded');
  assert.equal(summary?.status, 'failed');
  // doctor's reason and fix, and no retry spent on an agent that cannot run.
  assert.match(summary?.error ?? '', new RegExp(`the ${cli} command was not found on PATH`));
  assert.match(summary?.error ?? '', /; npm install -g @anthropic-ai\/claude-code$/);
  assert.ok((summary?.attempts ?? 0) <= 1, `attempts: ${summary?.attempts}`);
  assert.doesNotMatch(result.stderr, /retrying in/);
  assert.equal(
    server.requests.filter((request) => request.model !== undefined && !request.model.auxiliary).length,
    0,
    'no request reached the model for the step',
  );
});
