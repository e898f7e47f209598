import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AgentStreamPart } from '../../../../src/agents/agent.js';
import { readNotification, turnErrorOf } from '../../../../src/agents/codex/codex-app-server-events.js';
import type { RpcNotification } from '../../../../src/agents/codex/codex-rpc.js';
import { answerServerRequest } from '../../../../src/agents/codex/codex-server-requests.js';
import { type CodexTurnState, newTurnState, turnResult } from '../../../../src/agents/codex/codex-turn.js';

// Notifications captured from the real `codex app-server` 0.171.0 against the scripted model server
// (trimmed: the captured `thread` objects are long; `emittedAtMs` is dropped by the reader anyway).

const thread = '01a21f3a-9b93-7082-b497-81e92f0cfc2d';
const turn = '01a21f3a-9bb2-7932-9059-15d6b48852ad';

function read(lines: string[], state: CodexTurnState): AgentStreamPart[] {
  return lines.flatMap((line) => {
    const message = JSON.parse(line) as { method: string; params: Record<string, unknown> };
    const notification: RpcNotification = { method: message.method, params: message.params };
    return readNotification(notification, state);
  });
}

describe('reading codex app-server notifications', () => {
  test('an apply_patch turn: file change, final message, usage summed over model requests', () => {
    const state = { ...newTurnState(), threadId: thread };
    const parts = read(
      [
        `{"method":"turn/started","params":{"threadId":"${thread}","turn":{"id":"${turn}","items":[],"status":"inProgress","error":null}},"emittedAtMs":1795820264397}`,
        `{"method":"item/started","params":{"item":{"type":"userMessage","id":"u1","clientId":null,"content":[{"type":"text","text":"Create hello.txt","text_elements":[]}]},"threadId":"${thread}","turnId":"${turn}","startedAtMs":1}}`,
        `{"method":"item/started","params":{"item":{"type":"fileChange","id":"call_scripted_2","changes":[{"path":"/var/tmp/ws-vyLNW9/hello.txt","kind":{"type":"add"},"diff":"hi\\n"}],"status":"inProgress"},"threadId":"${thread}","turnId":"${turn}","startedAtMs":1}}`,
        `{"method":"item/completed","params":{"item":{"type":"fileChange","id":"call_scripted_2","changes":[{"path":"/var/tmp/ws-vyLNW9/hello.txt","kind":{"type":"add"},"diff":"hi\\n"}],"status":"completed"},"threadId":"${thread}","turnId":"${turn}","completedAtMs":2}}`,
        `{"method":"thread/tokenUsage/updated","params":{"threadId":"${thread}","turnId":"${turn}","tokenUsage":{"total":{"totalTokens":25,"inputTokens":10,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":15,"reasoningOutputTokens":0},"last":{"totalTokens":25,"inputTokens":10,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":15,"reasoningOutputTokens":0},"modelContextWindow":258400}}}`,
        `{"method":"item/completed","params":{"item":{"type":"agentMessage","moderation":null,"id":"msg_scripted_5","text":"DONE-1","phase":null},"threadId":"${thread}","turnId":"${turn}","completedAtMs":3}}`,
        `{"method":"thread/tokenUsage/updated","params":{"threadId":"${thread}","turnId":"${turn}","tokenUsage":{"total":{"totalTokens":37,"inputTokens":20,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":17,"reasoningOutputTokens":0},"last":{"totalTokens":12,"inputTokens":10,"cachedInputTokens":0,"cacheWriteInputTokens":0,"outputTokens":2,"reasoningOutputTokens":0},"modelContextWindow":258400}}}`,
        `{"method":"turn/diff/updated","params":{"threadId":"${thread}","turnId":"${turn}","diff":"diff --git a/hello.txt b/hello.txt"}}`,
        `{"method":"turn/completed","params":{"threadId":"${thread}","turn":{"id":"${turn}","items":[],"status":"completed","error":null,"durationMs":219}}}`,
      ],
      state,
    );
    assert.deepEqual(parts, [
      {
        type: 'tool-call',
        id: 'call_scripted_2',
        name: 'file_change',
        input: { changes: [{ path: '/var/tmp/ws-vyLNW9/hello.txt', kind: 'add' }] },
      },
      {
        type: 'tool-result',
        id: 'call_scripted_2',
        output: 'add /var/tmp/ws-vyLNW9/hello.txt',
        isError: false,
      },
      { type: 'text-delta', text: 'DONE-1' },
      { type: 'usage-report', usage: { inputTokens: 20, outputTokens: 17 } },
    ]);
    assert.deepEqual(turnResult(state, '/var/tmp/ws-vyLNW9', 0), {
      ok: true,
      output: 'DONE-1',
      sessionId: thread,
      usage: { inputTokens: 20, outputTokens: 17 },
      filesChanged: ['hello.txt'],
    });
  });

  test('a failed turn: retry notices while codex retries, then the structured error decides', () => {
    const state = { ...newTurnState(), threadId: thread, turnId: turn };
    const parts = read(
      [
        `{"method":"error","params":{"error":{"message":"Reconnecting... 1/1","codexErrorInfo":{"responseStreamDisconnected":{"httpStatusCode":401}},"additionalDetails":"unexpected status 401 Unauthorized: bad key, url: http://127.0.0.1:46739/v1/responses","misalignment":null},"willRetry":true,"threadId":"${thread}","turnId":"${turn}"}}`,
        `{"method":"error","params":{"error":{"message":"exceeded retry limit, last status: 429 Too Many Requests","codexErrorInfo":{"responseTooManyFailedAttempts":{"httpStatusCode":429}},"additionalDetails":null,"misalignment":null},"willRetry":false,"threadId":"${thread}","turnId":"${turn}"}}`,
        `{"method":"turn/completed","params":{"threadId":"${thread}","turn":{"id":"${turn}","items":[],"status":"failed","error":{"message":"exceeded retry limit, last status: 429 Too Many Requests","codexErrorInfo":{"responseTooManyFailedAttempts":{"httpStatusCode":429}},"additionalDetails":null,"misalignment":null}}}}`,
      ],
      state,
    );
    assert.deepEqual(parts, [
      {
        type: 'retry-notice',
        message:
          'Reconnecting... 1/1 (unexpected status 401 Unauthorized: bad key, url: http://127.0.0.1:46739/v1/responses)',
      },
    ]);
    const result = turnResult(state, '/w', 0);
    assert.ok(result && !result.ok);
    assert.deepEqual(
      [result.failure.code, result.failure.kind, result.failure.apiStatus],
      ['RATE_LIMITED', 'transient', 429],
    );
  });

  test("other threads' notifications are not ours; unknown methods are kept; warnings are warnings", () => {
    const state = { ...newTurnState(), threadId: thread };
    const parts = read(
      [
        '{"method":"item/completed","params":{"item":{"type":"agentMessage","id":"m","text":"NOT MINE"},"threadId":"someone-else","turnId":"x"}}',
        `{"method":"thread/teleported","params":{"threadId":"${thread}"}}`,
        '{"method":"configWarning","params":{"summary":"Codex could not find bubblewrap on PATH.","details":null}}',
      ],
      state,
    );
    assert.equal(state.lastMessage, undefined);
    assert.deepEqual(
      parts.map((part) => part.type),
      ['unknown-line', 'warning'],
    );
  });

  test('turn errors: a named kind, or a kind with its HTTP status', () => {
    assert.deepEqual(
      turnErrorOf({ message: 'm', codexErrorInfo: 'internalServerError', additionalDetails: null }),
      {
        message: 'm',
        errorInfo: 'internalServerError',
      },
    );
    assert.deepEqual(
      turnErrorOf({
        message: 'm',
        codexErrorInfo: { httpConnectionFailed: { httpStatusCode: null } },
        additionalDetails: 'd',
      }),
      {
        message: 'm',
        errorInfo: 'httpConnectionFailed',
        details: 'd',
      },
    );
    assert.equal(turnErrorOf(null), undefined);
  });
});

describe("answering codex's requests", () => {
  test('approvals are declined, questions go unanswered, anything else is an error', () => {
    assert.deepEqual(answerServerRequest({ method: 'item/commandExecution/requestApproval', params: {} }), {
      result: { decision: 'decline' },
    });
    assert.deepEqual(answerServerRequest({ method: 'item/fileChange/requestApproval', params: {} }), {
      result: { decision: 'decline' },
    });
    assert.deepEqual(answerServerRequest({ method: 'item/tool/requestUserInput', params: {} }), {
      result: { answers: {} },
    });
    const other = answerServerRequest({ method: 'account/chatgptAuthTokens/refresh', params: {} });
    assert.ok('error' in other && other.error.code === -32601);
  });
});
