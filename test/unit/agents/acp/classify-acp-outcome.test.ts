import assert from 'node:assert/strict';
import { test } from 'node:test';
import { RequestError } from '@agentclientprotocol/sdk';
import {
  failureOfRpcError,
  failureOfStopReason,
  readableMessage,
  rpcErrorOf,
} from '../../../../src/agents/acp/classify-acp-outcome.js';

const now = 1_800_000_000_000;

test('stop reasons: end_turn succeeds; the others are failures of the right kind', () => {
  assert.equal(failureOfStopReason('end_turn', false), undefined);
  assert.deepEqual(failureOfStopReason('cancelled', true), {
    code: 'ABORTED',
    kind: 'transient',
    message: 'stopped',
  });
  assert.equal(failureOfStopReason('cancelled', false)?.code, 'AGENT_ERROR');
  for (const reason of ['max_tokens', 'max_turn_requests', 'refusal']) {
    const failure = failureOfStopReason(reason, false);
    assert.equal(`${failure?.code}/${failure?.kind}`, 'AGENT_ERROR/permanent', reason);
    assert.ok(failure?.message.includes(reason));
  }
  assert.equal(failureOfStopReason('teleported', false)?.code, 'PROTOCOL_ERROR');
});

// JSON-RPC errors as Gemini CLI 0.61.0 answered session/prompt and session/new (captured).
test('captured gemini errors: the HTTP status as the code, the API error JSON in the message', () => {
  const badRequest = failureOfRpcError(
    {
      code: 400,
      message: '{"error":{"code":400,"message":"bad request (scripted)","status":"INVALID_ARGUMENT"}}',
    },
    'session/prompt',
    now,
  );
  assert.deepEqual(badRequest, {
    code: 'MODEL_ERROR',
    kind: 'permanent',
    message: 'session/prompt failed: bad request (scripted) (INVALID_ARGUMENT)',
    apiStatus: 400,
  });
  const unauthorized = failureOfRpcError(
    { code: 401, message: '{"error":{"code":401,"message":"API key not valid","status":"UNAUTHENTICATED"}}' },
    'session/prompt',
    now,
  );
  assert.equal(
    `${unauthorized.code}/${unauthorized.kind}/${unauthorized.apiStatus}`,
    'AUTH_FAILED/permanent/401',
  );
  const limited = failureOfRpcError(
    { code: 429, message: 'Rate limited by the scripted model server' },
    'x',
    now,
  );
  assert.equal(`${limited.code}/${limited.kind}`, 'RATE_LIMITED/transient');
  assert.equal(limited.resetAt, undefined);
  const later = failureOfRpcError(
    { code: 429, message: 'Resource exhausted. Please retry in 7s.' },
    'x',
    now,
  );
  assert.equal(later.resetAt, now + 7_000);
  const busy = failureOfRpcError(
    { code: 500, message: '{"error":{"code":500,"message":"Internal error","status":"INTERNAL"}}' },
    'x',
    now,
  );
  assert.equal(`${busy.code}/${busy.kind}`, 'MODEL_ERROR/transient');
  const noKey = failureOfRpcError(
    { code: -32000, message: 'Gemini API key is missing or not configured.' },
    'session/new',
    now,
  );
  assert.equal(`${noKey.code}/${noKey.kind}`, 'AUTH_FAILED/permanent');
});

test('JSON-RPC codes of the protocol itself', () => {
  const kinds = (code: number, message = 'm') => {
    const failure = failureOfRpcError({ code, message }, 'x', now);
    return `${failure.code}/${failure.kind}`;
  };
  assert.equal(kinds(-32601), 'PROTOCOL_ERROR/permanent');
  assert.equal(kinds(-32602), 'PROTOCOL_ERROR/permanent');
  assert.equal(kinds(-32603), 'AGENT_ERROR/transient');
  assert.equal(kinds(-32800), 'ABORTED/transient');
  assert.equal(kinds(-32002), 'PROTOCOL_ERROR/transient');
  assert.equal(kinds(-1, 'Too many requests, slow down'), 'RATE_LIMITED/transient');
  assert.equal(kinds(-1, 'Unauthorized: invalid API key'), 'AUTH_FAILED/permanent');
  assert.equal(kinds(-1, 'something broke'), 'AGENT_ERROR/transient');
});

test('rpcErrorOf reads the SDK’s RequestError and plain error objects, and nothing else', () => {
  assert.deepEqual(rpcErrorOf(RequestError.authRequired()), {
    code: -32000,
    message: 'Authentication required',
  });
  assert.deepEqual(rpcErrorOf({ code: 429, message: 'slow down' }), { code: 429, message: 'slow down' });
  assert.equal(rpcErrorOf(new Error('closed')), undefined);
  assert.equal(rpcErrorOf('boom'), undefined);
  assert.equal(readableMessage('[API Error: terminated]'), '[API Error: terminated]');
  assert.equal(readableMessage('prefix {"error":{"message":"inner"}}'), 'prefix inner');
});
