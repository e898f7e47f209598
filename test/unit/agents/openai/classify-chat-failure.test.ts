import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  classifyHttpFailure,
  classifyNetworkError,
  classifyStreamError,
  type FailureContext,
  providerMessage,
} from '../../../../src/agents/openai/classify-chat-failure.js';
import { parseGoDuration, parseRetryAfter } from '../../../../src/limits/retry-after.js';

const now = 1_700_000_000_000;
const context: FailureContext = {
  agent: 'reviewer',
  host: 'router.huggingface.co',
  apiKeyEnv: 'HF_TOKEN',
  now,
};
const openAiBody = (message: string, type = 'invalid_request_error', code: string | null = type) =>
  JSON.stringify({ error: { message, type, param: null, code } });

test('429 is a transient RATE_LIMITED, with resetAt from retry-after-ms, retry-after or the x-ratelimit headers', () => {
  const body = openAiBody('Rate limit reached', 'rate_limit_exceeded');
  const plain = classifyHttpFailure(429, new Headers(), body, context);
  assert.equal(plain.code, 'RATE_LIMITED');
  assert.equal(plain.kind, 'transient');
  assert.equal(plain.apiStatus, 429);
  assert.equal(plain.resetAt, undefined);
  assert.match(plain.message, /router\.huggingface\.co answered 429: Rate limit reached/);
  const seconds = classifyHttpFailure(429, new Headers({ 'retry-after': '3' }), body, context);
  assert.equal(seconds.resetAt, now + 3_000);
  const ms = classifyHttpFailure(
    429,
    new Headers({ 'retry-after-ms': '1500', 'retry-after': '9' }),
    body,
    context,
  );
  assert.equal(ms.resetAt, now + 1_500, 'retry-after-ms is the more precise and wins');
  const date = new Date(now + 60_000).toUTCString();
  assert.equal(
    classifyHttpFailure(429, new Headers({ 'retry-after': date }), body, context).resetAt,
    now + 60_000,
  );
  const resets = new Headers({
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-reset-requests': '6m0s',
    'x-ratelimit-remaining-tokens': '1000',
    'x-ratelimit-reset-tokens': '20ms',
  });
  assert.equal(classifyHttpFailure(429, resets, body, context).resetAt, now + 360_000);
});

test('an exhausted OpenAI balance (429 insufficient_quota) and a 402 are permanent, with the provider message', () => {
  const quota = classifyHttpFailure(
    429,
    new Headers(),
    openAiBody('You exceeded your current quota', 'insufficient_quota'),
    context,
  );
  assert.deepEqual([quota.code, quota.kind], ['USAGE_LIMIT', 'permanent']);
  const credits = classifyHttpFailure(
    402,
    new Headers(),
    JSON.stringify({ error: 'You have exceeded your monthly included credits for Inference Providers.' }),
    context,
  );
  assert.deepEqual([credits.code, credits.kind, credits.apiStatus], ['USAGE_LIMIT', 'permanent', 402]);
  assert.match(credits.message, /exceeded your monthly included credits/);
});

test('401 and 403 are AUTH_FAILED and name the variable to set', () => {
  for (const status of [401, 403]) {
    const failure = classifyHttpFailure(status, new Headers(), openAiBody('Invalid credentials'), context);
    assert.deepEqual([failure.code, failure.kind], ['AUTH_FAILED', 'permanent']);
    assert.match(failure.message, /Invalid credentials; set HF_TOKEN to a valid API key/);
  }
  const keyless = classifyHttpFailure(401, new Headers(), '', { ...context, apiKeyEnv: undefined });
  assert.match(keyless.message, /set agents\.reviewer\.apiKeyEnv/);
});

test('400, 404 and 422 are permanent MODEL_ERRORs; 408, 409, 5xx and 529 are transient', () => {
  for (const status of [400, 404, 422]) {
    const failure = classifyHttpFailure(
      status,
      new Headers(),
      openAiBody('The model `nope` does not exist'),
      context,
    );
    assert.deepEqual([failure.code, failure.kind], ['MODEL_ERROR', 'permanent'], `status ${status}`);
    assert.match(failure.message, /does not exist/);
  }
  for (const status of [408, 409, 500, 502, 503, 529]) {
    const failure = classifyHttpFailure(
      status,
      new Headers({ 'retry-after': '2' }),
      'upstream busy',
      context,
    );
    assert.deepEqual([failure.code, failure.kind], ['MODEL_ERROR', 'transient'], `status ${status}`);
    assert.equal(failure.resetAt, now + 2_000);
  }
});

test('the provider message is found in the usual error shapes', () => {
  assert.equal(providerMessage(openAiBody('a')), 'a');
  assert.equal(providerMessage('{"error":"b"}'), 'b');
  assert.equal(providerMessage('{"message":"c"}'), 'c');
  assert.equal(providerMessage('{"detail":"d"}'), 'd');
  assert.match(providerMessage('{"detail":[{"loc":["body","stream_options"]}]}'), /stream_options/);
  assert.equal(providerMessage('<html>Bad Gateway</html>'), '<html>Bad Gateway</html>');
});

test('errors reported inside a stream are classified by their code', () => {
  assert.deepEqual(
    [classifyStreamError({ message: 'overloaded', status: 503 }, context).kind],
    ['transient'],
  );
  assert.equal(classifyStreamError({ message: 'bad', status: 400 }, context).kind, 'permanent');
  assert.equal(
    classifyStreamError({ message: 'slow down', code: 'rate_limit_exceeded' }, context).code,
    'RATE_LIMITED',
  );
  const unknown = classifyStreamError({ message: 'Provider disconnected', code: 'server_error' }, context);
  assert.deepEqual([unknown.code, unknown.kind], ['MODEL_ERROR', 'transient']);
});

test('network errors are transient; a refused connection says the server may not be running', () => {
  const refused = new TypeError('fetch failed', {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:11434'), { code: 'ECONNREFUSED' }),
  });
  const failure = classifyNetworkError(refused, context);
  assert.deepEqual([failure.code, failure.kind], ['AGENT_UNAVAILABLE', 'transient']);
  assert.match(failure.message, /ECONNREFUSED.*is the server running/);
  const cut = new TypeError('terminated', {
    cause: Object.assign(new Error('other side closed'), { code: 'UND_ERR_SOCKET' }),
  });
  const broken = classifyNetworkError(cut, context, 'stream');
  assert.deepEqual([broken.code, broken.kind], ['MODEL_ERROR', 'transient']);
  assert.match(
    broken.message,
    /stream from router\.huggingface\.co broke off: terminated: other side closed/,
  );
});

test('retry hints: Go durations, epoch resets, and nonsense ignored', () => {
  assert.equal(parseGoDuration('1h2m3.5s'), 3_723_500);
  assert.equal(parseGoDuration('20ms'), 20);
  assert.equal(parseGoDuration('0.5'), 500);
  assert.equal(parseGoDuration('soon'), undefined);
  assert.equal(parseRetryAfter(new Headers({ 'x-ratelimit-reset': String(now + 5_000) }), now), now + 5_000);
  assert.equal(
    parseRetryAfter(new Headers({ 'x-ratelimit-reset': String((now + 7_000) / 1_000) }), now),
    now + 7_000,
  );
  assert.equal(parseRetryAfter(new Headers({ 'retry-after': 'whenever' }), now), undefined);
  assert.equal(
    parseRetryAfter(new Headers({ 'retry-after': '999999' }), now),
    now + 24 * 60 * 60_000,
    'capped at a day',
  );
  assert.equal(
    parseRetryAfter(new Headers({ 'retry-after': new Date(now - 5_000).toUTCString() }), now),
    now,
  );
});
