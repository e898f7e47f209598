import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GeminiStreamReader } from '../../../../src/agents/gemini/gemini-stream-json.js';

// `gemini -p … --output-format stream-json` output of Gemini CLI 0.61.0 against the scripted model server
// (captured; PROTOCOL-NOTES.md and this adapter's probes).
const toolTurn = [
  '{"type":"init","timestamp":"2026-11-27T22:16:35.941Z","session_id":"803a292e-2526-4b16-97fa-c62f7c227bd5","model":"gemini-2.5-flash"}',
  '{"type":"message","timestamp":"2026-11-27T22:16:35.944Z","role":"user","content":"Create hello.txt"}',
  '{"type":"tool_use","timestamp":"2026-11-27T22:16:36.076Z","tool_name":"write_file","tool_id":"write_file__write_file_1795817796008_0","parameters":{"file_path":"/tmp/ws-A9XKwJ/hello.txt","content":"hello from gemini\\n"}}',
  '{"type":"tool_result","timestamp":"2026-11-27T22:16:36.154Z","tool_id":"write_file__write_file_1795817796008_0","status":"success"}',
  '{"type":"message","timestamp":"2026-11-27T22:16:36.176Z","role":"assistant","content":"Wrote the file.","delta":true}',
  '{"type":"message","timestamp":"2026-11-27T22:16:36.181Z","role":"assistant","content":" DONE-MARKER","delta":true}',
  '{"type":"result","timestamp":"2026-11-27T22:16:36.186Z","status":"success","stats":{"total_tokens":45,"input_tokens":20,"output_tokens":25,"cached":0,"input":20,"duration_ms":246,"tool_calls":1,"models":{"gemini-2.5-flash":{"total_tokens":45,"input_tokens":20,"output_tokens":25,"cached":0,"input":20}}}}',
];

test('a captured tool-using turn: session, tool call and result, joined answer, usage, changed file', () => {
  const reader = new GeminiStreamReader();
  const parts = toolTurn.flatMap((line) => reader.read(line));
  assert.deepEqual(
    parts.map((part) => part.type),
    ['session-start', 'tool-call', 'tool-result', 'text-delta', 'text-delta', 'usage-report'],
  );
  assert.deepEqual(parts[0], {
    type: 'session-start',
    sessionId: '803a292e-2526-4b16-97fa-c62f7c227bd5',
    model: 'gemini-2.5-flash',
  });
  assert.equal(reader.output(), 'Wrote the file. DONE-MARKER');
  assert.equal(reader.result?.status, 'success');
  assert.deepEqual(reader.usage(), { inputTokens: 20, outputTokens: 25 });
  assert.deepEqual(reader.filesChanged('/tmp/ws-A9XKwJ'), ['hello.txt']);
  assert.equal(reader.sessionId, '803a292e-2526-4b16-97fa-c62f7c227bd5');
});

test('a captured error result; failed tools change nothing; odd lines are kept, never fatal', () => {
  const reader = new GeminiStreamReader();
  reader.read(
    '{"type":"tool_use","tool_name":"replace","tool_id":"t1","parameters":{"file_path":"/w/a.ts"}}',
  );
  const failed = reader.read(
    '{"type":"tool_result","tool_id":"t1","status":"error","error":{"type":"edit","message":"no match"}}',
  );
  assert.deepEqual(failed, [{ type: 'tool-result', id: 't1', output: 'no match', isError: true }]);
  assert.deepEqual(reader.filesChanged('/w'), []);
  reader.read(
    '{"type":"result","timestamp":"2026-11-27T22:20:33.110Z","status":"error","error":{"type":"unknown","message":"[API Error: Rate limited by the scripted model server]\\nPlease wait and try again later."},"stats":{"total_tokens":0,"input_tokens":0,"output_tokens":0,"cached":0,"input":0,"duration_ms":0,"tool_calls":0,"models":{}}}',
  );
  assert.equal(reader.result?.status, 'error');
  assert.match(reader.result?.error?.message ?? '', /Rate limited/);
  assert.deepEqual(reader.read('Warning: something not JSON'), [
    { type: 'unknown-line', raw: 'Warning: something not JSON' },
  ]);
  assert.equal(reader.read('{"type":"telemetry","x":1}')[0]?.type, 'unknown-line');
  assert.deepEqual(
    reader.read('{"type":"error","severity":"warning","message":"Loop detected, stopping execution"}'),
    [{ type: 'warning', message: 'Loop detected, stopping execution' }],
  );
});

test('a result line with fields of other shapes still closes the turn, its odd fields unread', () => {
  const reader = new GeminiStreamReader();
  reader.read(
    '{"type":"result","status":1,"error":{"message":{"text":"x"},"code":[429]},"stats":{"input_tokens":"20","output_tokens":5}}',
  );
  assert.deepEqual(reader.result, {
    status: '',
    error: { message: undefined, code: undefined },
    stats: { input_tokens: undefined, output_tokens: 5 },
  });
  assert.equal(reader.usage(), undefined, 'no usage without both token counts');
  reader.read('{"type":"result","status":"success","error":"none","stats":[]}');
  assert.deepEqual(reader.result, { status: 'success', error: undefined, stats: undefined });
});
