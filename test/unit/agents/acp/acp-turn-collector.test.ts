import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TurnCollector, usageOf } from '../../../../src/agents/acp/acp-turn-collector.js';

// session/update `update` objects as Gemini CLI 0.61.0 sent them in ACP mode (captured against the scripted
// model server; only the temp directory names are shortened).
const captured = {
  commands:
    '{"availableCommands":[{"name":"memory","description":"Manage memory."},{"name":"memory show","description":"Shows the current memory contents."}],"sessionUpdate":"available_commands_update"}',
  toolCall:
    '{"toolCallId":"write_file__write_file_1795819629309_0","title":"Writing to a.txt","kind":"edit","status":"in_progress","content":[],"locations":[{"path":"/tmp/ws/a.txt"}],"sessionUpdate":"tool_call"}',
  toolFailed:
    '{"toolCallId":"write_file__write_file_1795819629309_0","kind":"edit","status":"failed","content":[{"content":{"text":"Error checking existing file: Resource not found: /tmp/ws/a.txt","type":"text"},"type":"content"}],"sessionUpdate":"tool_call_update"}',
  toolCompleted:
    '{"toolCallId":"write_file__write_file_1795819673448_0","kind":"edit","status":"completed","title":"Writing to b.txt","content":[{"path":"/tmp/ws/b.txt","oldText":"","newText":"hi b.txt\\n","_meta":{"kind":"add"},"type":"diff"}],"locations":[{"path":"/tmp/ws/b.txt"}],"sessionUpdate":"tool_call_update"}',
  text1: '{"content":{"text":"Wrote the file.","type":"text"},"sessionUpdate":"agent_message_chunk"}',
  text2: '{"content":{"text":" DONE-MARKER","type":"text"},"sessionUpdate":"agent_message_chunk"}',
  promptResult:
    '{"stopReason":"end_turn","_meta":{"quota":{"token_count":{"input_tokens":20,"output_tokens":23},"model_usage":[{"model":"gemini-2.5-flash","token_count":{"input_tokens":20,"output_tokens":23}}]}}}',
};

const parse = (json: string): Record<string, unknown> => JSON.parse(json) as Record<string, unknown>;

test('captured gemini updates become parts; the answer is the joined message chunks', () => {
  const collector = new TurnCollector();
  assert.deepEqual(collector.apply(parse(captured.commands)), []);
  assert.deepEqual(collector.apply(parse(captured.toolCall)), [
    {
      type: 'tool-call',
      id: 'write_file__write_file_1795819629309_0',
      name: 'Writing to a.txt',
      input: { kind: 'edit', paths: ['/tmp/ws/a.txt'] },
    },
  ]);
  assert.deepEqual(collector.apply(parse(captured.toolFailed)), [
    {
      type: 'tool-result',
      id: 'write_file__write_file_1795819629309_0',
      output: 'Error checking existing file: Resource not found: /tmp/ws/a.txt',
      isError: true,
    },
  ]);
  assert.deepEqual(collector.apply(parse(captured.text1)), [{ type: 'text-delta', text: 'Wrote the file.' }]);
  collector.apply(parse(captured.text2));
  assert.equal(collector.output(), 'Wrote the file. DONE-MARKER');
  assert.deepEqual(collector.filesChanged('/tmp/ws'), [], 'a failed write changed nothing');
});

test('a tool first seen in a permission request, then completed, counts as one call and changes its file', () => {
  const collector = new TurnCollector();
  const permissionToolCall = {
    toolCallId: 'write_file__write_file_1795819673448_0',
    kind: 'edit',
    status: 'pending',
    title: 'Writing to b.txt',
    content: [{ path: '/tmp/ws/b.txt', oldText: '', newText: 'hi b.txt\n', type: 'diff' }],
    locations: [{ path: '/tmp/ws/b.txt' }],
  };
  const announced = collector.noteTool(permissionToolCall);
  assert.equal(announced.length, 1);
  assert.equal(announced[0]?.type, 'tool-call');
  const finished = collector.apply(parse(captured.toolCompleted));
  assert.deepEqual(finished, [
    {
      type: 'tool-result',
      id: 'write_file__write_file_1795819673448_0',
      output: 'changed /tmp/ws/b.txt',
      isError: false,
    },
  ]);
  assert.deepEqual(
    collector.apply(parse(captured.toolCompleted)),
    [],
    'a repeated completion is not reported twice',
  );
  collector.noteWrite('/tmp/ws/sub/c.txt');
  collector.noteWrite('/elsewhere/d.txt');
  assert.deepEqual(collector.filesChanged('/tmp/ws'), ['sub/c.txt', 'b.txt']);
});

test('usage: the prompt response first (ACP usage, or gemini _meta.quota), usage_update otherwise', () => {
  assert.deepEqual(usageOf(parse(captured.promptResult)), { inputTokens: 20, outputTokens: 23 });
  assert.deepEqual(
    usageOf({
      stopReason: 'end_turn',
      usage: { inputTokens: 5, outputTokens: 6, totalTokens: 11, cachedReadTokens: 2 },
    }),
    { inputTokens: 5, outputTokens: 6, cachedInputTokens: 2 },
  );
  assert.equal(usageOf({ stopReason: 'end_turn' }), undefined);
  const collector = new TurnCollector();
  const parts = collector.apply({
    sessionUpdate: 'usage_update',
    used: 53000,
    size: 200000,
    cost: { amount: 0.045, currency: 'USD' },
  });
  assert.deepEqual(parts, [
    { type: 'usage-report', usage: { inputTokens: 53000, outputTokens: 0, costUsd: 0.045 } },
  ]);
  assert.deepEqual(collector.contextUsage(), { inputTokens: 53000, outputTokens: 0, costUsd: 0.045 });
});

test('unknown update kinds are kept as unknown-line parts; thoughts and plans are quiet; notices warn', () => {
  const collector = new TurnCollector();
  assert.deepEqual(
    collector.apply({ sessionUpdate: 'agent_thought_chunk', content: { type: 'text', text: 'hmm' } }),
    [],
  );
  assert.deepEqual(collector.apply({ sessionUpdate: 'plan', entries: [] }), []);
  const unknown = collector.apply({ sessionUpdate: 'hologram', x: 1 });
  assert.equal(unknown[0]?.type, 'unknown-line');
  assert.equal(collector.apply('not an object')[0]?.type, 'unknown-line');
  assert.deepEqual(
    collector.apply({
      sessionUpdate: 'notice',
      severity: 'warning',
      title: 'Slow',
      description: 'model busy',
    }),
    [{ type: 'warning', message: 'Slow: model busy' }],
  );
  assert.equal(collector.output(), '', 'thoughts are not the answer');
});
