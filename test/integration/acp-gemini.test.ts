import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createAcpAgent } from '../../src/agents/acp/acp-agent.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer, text, toolCall } from '../support/model-server/index.js';
import { depsFor, geminiSpec, runStep, stepIn, workspaceDir } from './gemini-harness.js';

// The generic ACP adapter (createAcpAgent, as for `acp:gemini`) against the REAL `gemini --acp`: the
// client file system, permission answers and several sessions on one process, with a real agent.
const skip = agentCliMissing('gemini');

let server: ModelServer;

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => {
      const prompt = request.lastUserText;
      if (request.pendingToolResults.length > 0) return text('Wrote the file. DONE-MARKER');
      const write = /WRITE (\S+)/.exec(prompt);
      if (write?.[1])
        return toolCall('write_file', { file_path: write[1], content: 'rewritten through ACP fs\n' });
      const wait = /WAIT (\d+)/.exec(prompt);
      if (wait?.[1]) return text(`waited for ${prompt.slice(-12)}`, { delayMs: Number(wait[1]) });
      return text(`answer: ${prompt.slice(-20)}`);
    },
  });
});

after(async () => {
  await server?.close();
});

describe('ACP adapter with the real gemini --acp', { skip }, () => {
  test('gemini edits an existing file through our fs/read_text_file and fs/write_text_file', async () => {
    const workspace = workspaceDir();
    const file = join(workspace, 'existing.txt');
    writeFileSync(file, 'original\n');
    const agent = createAcpAgent(geminiSpec(server, { adapter: 'acp' }), depsFor(workspace), {
      fileSystem: true,
    });
    try {
      const step = stepIn(workspace, `WRITE ${file}`);
      const { result } = await runStep(agent, step);
      assert.equal(result.ok, true, JSON.stringify(result));
      assert.equal(readFileSync(file, 'utf8'), 'rewritten through ACP fs\n');
      assert.ok(result.ok);
      assert.deepEqual(result.filesChanged, ['existing.txt']);
      const transcript = readFileSync(step.logFile, 'utf8');
      assert.match(transcript, /"method":"fs\/read_text_file"/);
      assert.match(transcript, /"method":"fs\/write_text_file"/);
    } finally {
      await agent.close?.();
    }
  });

  test('sessionsPerProcess 2: two concurrent steps run on one gemini process at the same time', async () => {
    const workspace = workspaceDir();
    const spec = geminiSpec(server, { adapter: 'acp' });
    const agent = createAcpAgent({ ...spec, pool: { ...spec.pool, prewarm: 1 } }, depsFor(workspace), {
      sessionsPerProcess: 2,
      fileSystem: false,
    });
    try {
      await agent.warm?.();
      const one = stepIn(workspace, 'WAIT 1500 first');
      const two = stepIn(workspaceDir(), 'WAIT 1500 second');
      const [a, b] = await Promise.all([runStep(agent, one), runStep(agent, two)]);
      assert.ok(a.result.ok && b.result.ok, JSON.stringify([a.result, b.result]));
      assert.equal(one.processes[0]?.pid, two.processes[0]?.pid, 'one process, two sessions');
      assert.ok(a.result.ok && a.result.output.includes('first'));
      assert.ok(b.result.ok && b.result.output.includes('second'));
      // The turns overlapped: each reached the model while the other was still waiting for its answer.
      const turn = (name: string) =>
        server.requests.find((request) => request.model?.lastUserText.includes(`WAIT 1500 ${name}`));
      const first = turn('first');
      const second = turn('second');
      assert.ok(first?.answeredAt && second?.answeredAt, 'both turns were answered by the model');
      assert.ok(
        second.receivedAt < first.answeredAt && first.receivedAt < second.answeredAt,
        `the turns ran one after the other: ${JSON.stringify([first, second].map((r) => [r.receivedAt, r.answeredAt]))}`,
      );
    } finally {
      await agent.close?.();
    }
  });
});
