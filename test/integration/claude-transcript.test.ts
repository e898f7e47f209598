/**
 * The transcript of a real Claude Code step (the CLI against the scripted model): its typed stream parts
 * are kept beside the raw log, and the dashboard's transcript model reads them as a conversation — the
 * tool call summarised by its file, its result, the closing text and the usage.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import type { TranscriptPart } from '../../src/server/http/transcript-protocol.js';
import { buildTranscript } from '../../web/src/transcript/transcript-model.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import { type ModelServer, startModelServer, text, toolCall } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { claudeConfigYaml } from './claude-harness.js';

const skip = agentCliMissing('claude');
let server: ModelServer;
let workspace: string;

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) =>
      request.pendingToolResults.length > 0
        ? text('Wrote the file. DONE-MARKER')
        : toolCall('Write', { file_path: join(workspace, 'notes.txt'), content: 'created\n' }),
  });
});
after(async () => {
  await server?.close();
});

test("a real claude step's transcript: its tool call, the result, its words and usage", {
  skip,
}, async () => {
  workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 1s\nagents:\n${claudeConfigYaml(server.url)}`,
  );
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'steps:\n  - { id: notes, agent: claude, action: write, prompt: "Write notes.txt" }\n',
  );
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  const { runId } = JSON.parse(result.stdout) as RunReport;
  const file = join(workspace, '.ai-collab', 'runs', runId, 'logs', 'notes.1.parts.jsonl');
  const parts = readFileSync(file, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as TranscriptPart);
  const types = new Set(parts.map((part) => part.type));
  for (const type of ['session-start', 'tool-call', 'tool-result', 'text-delta', 'usage-report'] as const) {
    assert.ok(types.has(type), `the transcript has a ${type} part: ${[...types].join(', ')}`);
  }
  const transcript = buildTranscript(parts);
  const tool = transcript.entries.find((entry) => entry.kind === 'tool');
  assert.equal(tool?.kind === 'tool' && tool.name, 'Write');
  assert.match(tool?.kind === 'tool' ? tool.summary : '', /notes\.txt · 2 lines$/);
  assert.equal(tool?.kind === 'tool' && tool.result?.isError, false);
  assert.ok(
    transcript.entries.some((entry) => entry.kind === 'message' && entry.text.includes('DONE-MARKER')),
    'the closing words are a message',
  );
  assert.ok(transcript.usage && transcript.usage.outputTokens > 0, 'usage is reported');
});
