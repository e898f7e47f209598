import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentStreamPart } from '../../../../src/agents/agent.js';
import { readExecLine } from '../../../../src/agents/codex/codex-exec-events.js';
import { type CodexTurnState, newTurnState, turnResult } from '../../../../src/agents/codex/codex-turn.js';

// Lines captured from the real `codex exec --json` 0.171.0 against the scripted model server
// (test/support/model-server/PROTOCOL-NOTES.md and this adapter's measurements).

function read(
  lines: string[],
  state: CodexTurnState = newTurnState(),
): { parts: AgentStreamPart[]; state: CodexTurnState } {
  const parts = lines.flatMap((line) => readExecLine(line, state));
  return { parts, state };
}

const workspace = '/tmp/ws-oTAyRh';

describe('reading codex exec --json lines', () => {
  test('an apply_patch turn: thread, file change, final message and usage', () => {
    const { parts, state } = read([
      '{"type":"thread.started","thread_id":"01a21f14-b3e3-7742-9dd2-2169d4d8cc3f"}',
      '{"type":"turn.started"}',
      '{"type":"item.started","item":{"id":"item_0","type":"file_change","changes":[{"path":"/tmp/ws-oTAyRh/hello.txt","kind":"add"}],"status":"in_progress"}}',
      '{"type":"item.completed","item":{"id":"item_0","type":"file_change","changes":[{"path":"/tmp/ws-oTAyRh/hello.txt","kind":"add"}],"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_1","type":"agent_message","text":"Wrote the file. DONE-MARKER"}}',
      '{"type":"turn.completed","usage":{"input_tokens":20,"cached_input_tokens":4,"cache_write_input_tokens":0,"output_tokens":25,"reasoning_output_tokens":0}}',
    ]);
    assert.deepEqual(parts, [
      { type: 'session-start', sessionId: '01a21f14-b3e3-7742-9dd2-2169d4d8cc3f' },
      {
        type: 'tool-call',
        id: 'item_0',
        name: 'file_change',
        input: { changes: [{ path: '/tmp/ws-oTAyRh/hello.txt', kind: 'add' }] },
      },
      { type: 'tool-result', id: 'item_0', output: 'add /tmp/ws-oTAyRh/hello.txt', isError: false },
      { type: 'text-delta', text: 'Wrote the file. DONE-MARKER' },
      { type: 'usage-report', usage: { inputTokens: 20, outputTokens: 25, cachedInputTokens: 4 } },
    ]);
    assert.deepEqual(turnResult(state, workspace, 0), {
      ok: true,
      output: 'Wrote the file. DONE-MARKER',
      sessionId: '01a21f14-b3e3-7742-9dd2-2169d4d8cc3f',
      usage: { inputTokens: 20, outputTokens: 25, cachedInputTokens: 4 },
      filesChanged: ['hello.txt'],
    });
  });

  test('a command: its call, then its output; a failing exit code is an error result', () => {
    const { parts } = read([
      '{"type":"item.started","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'hello from codex\\\\\\\\n\' > hello.txt\\"","aggregated_output":"","exit_code":null,"status":"in_progress"}}',
      '{"type":"item.completed","item":{"id":"item_0","type":"command_execution","command":"/bin/bash -lc \\"printf \'hello from codex\\\\\\\\n\' > hello.txt\\"","aggregated_output":"","exit_code":0,"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"item_1","type":"command_execution","command":"false","aggregated_output":"boom\\n","exit_code":1,"status":"failed"}}',
    ]);
    assert.equal(parts[0]?.type, 'tool-call');
    assert.deepEqual(parts[1], { type: 'tool-result', id: 'item_0', output: '', isError: false });
    assert.deepEqual(parts[2], { type: 'tool-result', id: 'item_1', output: 'boom\n', isError: true });
  });

  test('error lines are retry notices, not the end; turn.failed ends the turn with its message', () => {
    const { parts, state } = read([
      '{"type":"thread.started","thread_id":"t-1"}',
      '{"type":"error","message":"Reconnecting... 1/5 (We’re currently experiencing high demand, which may cause temporary errors.)"}',
      '{"type":"error","message":"We’re currently experiencing high demand, which may cause temporary errors."}',
    ]);
    assert.equal(state.end, undefined);
    assert.deepEqual(
      parts.slice(1).map((part) => part.type),
      ['retry-notice', 'retry-notice'],
    );
    read(
      [
        '{"type":"turn.failed","error":{"message":"We’re currently experiencing high demand, which may cause temporary errors."}}',
      ],
      state,
    );
    const result = turnResult(state, workspace, 0);
    assert.ok(result && !result.ok);
    assert.equal(result.failure.code, 'MODEL_ERROR');
    assert.equal(result.failure.kind, 'transient');
    assert.equal(result.sessionId, 't-1');
  });

  test('an error item is a warning; unknown lines and item types are kept, never thrown', () => {
    const { parts } = read([
      '{"type":"item.completed","item":{"id":"item_0","type":"error","message":"Model metadata for `scripted-model` not found. Defaulting to fallback metadata; this can degrade performance and cause issues."}}',
      '{"type":"item.completed","item":{"id":"item_1","type":"hologram","text":"?"}}',
      '{"type":"turn.teleported"}',
      'Reading additional input from stdin...',
      '[1,2]',
    ]);
    assert.equal(parts[0]?.type, 'warning');
    assert.deepEqual(
      parts.slice(1).map((part) => part.type),
      ['unknown-line', 'unknown-line', 'unknown-line', 'unknown-line'],
    );
  });

  test('files outside the workspace and failed changes are not reported as changed', () => {
    const { state } = read([
      '{"type":"item.completed","item":{"id":"a","type":"file_change","changes":[{"path":"/tmp/ws-oTAyRh/src/a.ts","kind":"update"},{"path":"/etc/passwd","kind":"update"}],"status":"completed"}}',
      '{"type":"item.completed","item":{"id":"b","type":"file_change","changes":[{"path":"/tmp/ws-oTAyRh/b.ts","kind":"add"}],"status":"failed"}}',
      '{"type":"item.completed","item":{"id":"c","type":"file_change","changes":[{"path":"/tmp/ws-oTAyRh/src/a.ts","kind":"update"}],"status":"completed"}}',
      '{"type":"turn.completed","usage":{"input_tokens":1,"cached_input_tokens":0,"output_tokens":1}}',
    ]);
    const result = turnResult(state, workspace, 0);
    assert.ok(result?.ok);
    assert.deepEqual(result.filesChanged, ['src/a.ts']);
  });
});
