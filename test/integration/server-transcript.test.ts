/**
 * A step's transcript over HTTP: the typed stream parts its agent emitted, in order, text joined into one
 * part per burst, read in ranges that continue where the last read ended; secrets redacted; a step whose
 * agent said nothing has an empty transcript, not an error.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { AgentStreamPart } from '../../src/agents/agent.js';
import type { TranscriptRange } from '../../src/server/http/transcript-protocol.js';
import { planOf } from '../support/test-engine.js';
import { TalkingAgent } from './server-agents.js';
import { startTestServer, type TestServer } from './server-harness.js';

const secret = 'sk-ant-test-0123456789abcdef0123456789';
const parts: AgentStreamPart[] = [
  { type: 'session-start', sessionId: 'session-1', model: 'claude-test' },
  { type: 'tool-call', id: 'call-1', name: 'Read', input: { file_path: 'src/calculator.ts' } },
  { type: 'tool-result', id: 'call-1', output: `export const key = '${secret}';\n`, isError: false },
  { type: 'tool-call', id: 'call-2', name: 'Bash', input: { command: 'npm test' } },
  { type: 'tool-result', id: 'call-2', output: '1 failing', isError: true },
  { type: 'retry-notice', message: 'overloaded', delayMs: 2_000 },
  { type: 'usage-report', usage: { inputTokens: 1_200, outputTokens: 340, costUsd: 0.0123 } },
];

let harness: TestServer;

before(async () => {
  harness = await startTestServer({
    environment: { ANTHROPIC_API_KEY: secret },
    agents: [
      new TalkingAgent('timer', (stepId) =>
        stepId === 'talk'
          ? { durationMs: 40, say: ['Reading ', 'the calculator.\n'], parts }
          : { durationMs: 5 },
      ),
    ],
  });
});
after(() => harness.close());

async function transcript(runId: string, stepId: string, query = ''): Promise<TranscriptRange> {
  const response = await fetch(`${harness.server.url}/api/runs/${runId}/steps/${stepId}/transcript${query}`, {
    headers: { authorization: `Bearer ${harness.server.token}` },
  });
  assert.equal(response.status, 200);
  return (await response.json()) as TranscriptRange;
}

test("a step's transcript is its agent's typed parts, in order, redacted, in continuing ranges", async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'talk' }, { id: 'quiet', needs: ['talk'] }]),
    workspace: harness.stateDir,
    planFile: null,
  });
  await harness.engine.startRun(created.runId).done;
  const read = await transcript(created.runId, 'talk');
  assert.deepEqual(
    read.parts.map((part) => part.type),
    [
      'text-delta',
      'session-start',
      'tool-call',
      'tool-result',
      'tool-call',
      'tool-result',
      'retry-notice',
      'usage-report',
    ],
  );
  const [text, , call, result, , failed] = read.parts;
  assert.deepEqual(text?.type === 'text-delta' && text.text, 'Reading the calculator.\n');
  assert.deepEqual(call?.type === 'tool-call' && call.input, { file_path: 'src/calculator.ts' });
  assert.ok(result?.type === 'tool-result' && !result.output.includes(secret), 'the secret is redacted');
  assert.equal(failed?.type === 'tool-result' && failed.isError, true);
  assert.equal(read.unreadable, 0);
  assert.equal(read.nextOffset, read.size);
  const rest = await transcript(created.runId, 'talk', `?attempt=1&offset=${read.nextOffset}`);
  assert.deepEqual(rest.parts, []);
  const quiet = await transcript(created.runId, 'quiet');
  assert.deepEqual(quiet.parts, []);
});
