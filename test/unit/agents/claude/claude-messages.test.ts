import assert from 'node:assert/strict';
import { test } from 'node:test';
import { classifyClaudeResult } from '../../../../src/agents/claude/classify-claude-result.js';
import {
  announcedWindow,
  parseClaudeLine,
  usageOf,
  writtenPaths,
} from '../../../../src/agents/claude/claude-messages.js';

// Lines in the shape Claude Code 2.1 prints with `--output-format stream-json --verbose`.

const line = (value: unknown) => JSON.stringify(value);

test('init starts a session with its model; an API retry is a retry notice with its delay and status', () => {
  assert.deepEqual(
    parseClaudeLine(line({ type: 'system', subtype: 'init', session_id: 's-1', model: 'claude-sonnet-4-5' })),
    { kind: 'parts', parts: [{ type: 'session-start', sessionId: 's-1', model: 'claude-sonnet-4-5' }] },
  );
  assert.deepEqual(
    parseClaudeLine(
      line({
        type: 'system',
        subtype: 'api_retry',
        attempt: 2,
        max_retries: 10,
        error_status: 529,
        retry_delay_ms: 1_200,
      }),
    ),
    {
      kind: 'parts',
      parts: [
        { type: 'retry-notice', message: 'model API retry 2/10 after 529', delayMs: 1_200, status: 529 },
      ],
    },
  );
  assert.deepEqual(parseClaudeLine(line({ type: 'system', subtype: 'hook_response' })), {
    kind: 'parts',
    parts: [],
  });
});

test('an assistant message gives its text and tool calls, in order', () => {
  const parsed = parseClaudeLine(
    line({
      type: 'assistant',
      session_id: 's-1',
      message: {
        role: 'assistant',
        content: [
          { type: 'text', text: 'I will write the file.' },
          { type: 'tool_use', id: 'toolu_1', name: 'Write', input: { file_path: '/w/add.ts', content: 'x' } },
          { type: 'thinking', thinking: 'not shown' },
        ],
      },
    }),
  );
  assert.deepEqual(parsed, {
    kind: 'parts',
    parts: [
      { type: 'text-delta', text: 'I will write the file.' },
      { type: 'tool-call', id: 'toolu_1', name: 'Write', input: { file_path: '/w/add.ts', content: 'x' } },
    ],
  });
});

test('a tool result gives its text (string or blocks) and whether it failed', () => {
  const parsed = parseClaudeLine(
    line({
      type: 'user',
      message: {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_1', content: 'File created' },
          {
            type: 'tool_result',
            tool_use_id: 'toolu_2',
            is_error: true,
            content: [{ type: 'text', text: 'permission denied' }, { type: 'image' }],
          },
        ],
      },
    }),
  );
  assert.deepEqual(parsed, {
    kind: 'parts',
    parts: [
      { type: 'tool-result', id: 'toolu_1', output: 'File created', isError: false },
      { type: 'tool-result', id: 'toolu_2', output: 'permission denied', isError: true },
    ],
  });
});

test('a result ends the turn and reports its usage, cache reads and writes counted as input', () => {
  const parsed = parseClaudeLine(
    line({
      type: 'result',
      subtype: 'success',
      is_error: false,
      result: 'done',
      session_id: 's-1',
      total_cost_usd: 0.0123,
      usage: {
        input_tokens: 10,
        cache_creation_input_tokens: 5,
        cache_read_input_tokens: 100,
        output_tokens: 20,
      },
    }),
  );
  assert.equal(parsed.kind, 'result');
  assert.ok(parsed.kind === 'result');
  assert.equal(parsed.result.result, 'done');
  assert.deepEqual(parsed.parts, [
    {
      type: 'usage-report',
      usage: { inputTokens: 115, outputTokens: 20, cachedInputTokens: 105, costUsd: 0.0123 },
    },
  ]);
  assert.equal(usageOf({ type: 'result', subtype: 'success', is_error: false }), undefined);
});

test('a result line with fields of other shapes still ends the turn, as a failure, its odd fields unread', () => {
  const parsed = parseClaudeLine(
    line({
      type: 'result',
      subtype: 7,
      is_error: 'no',
      result: { text: 'done' },
      total_cost_usd: '0.5',
      usage: { input_tokens: 'ten', output_tokens: 20 },
      modelUsage: ['claude-sonnet-4-5'],
    }),
  );
  assert.ok(parsed.kind === 'result', 'the turn ends');
  assert.deepEqual(parsed.parts, [{ type: 'usage-report', usage: { inputTokens: 0, outputTokens: 20 } }]);
  assert.deepEqual(classifyClaudeResult(parsed.result, 0), {
    code: 'AGENT_ERROR',
    kind: 'transient',
    message: 'claude ended the turn with a result line this version cannot read',
  });
});

test('control messages go to the control channel; rate-limit and stream events are dropped', () => {
  const request = { type: 'control_request', request_id: 'r1', request: { subtype: 'can_use_tool' } };
  assert.deepEqual(parseClaudeLine(line(request)), { kind: 'control', message: request });
  assert.deepEqual(parseClaudeLine(line({ type: 'rate_limit_event', rate_limit_info: {} })), {
    kind: 'parts',
    parts: [],
  });
  assert.deepEqual(parseClaudeLine(line({ type: 'stream_event', event: {} })), { kind: 'parts', parts: [] });
});

test('lines that are not JSON objects, or of a type not known yet, are kept as unknown lines, capped', () => {
  for (const raw of [
    'Warning: something on stdout',
    '[1,2]',
    line({ no: 'type' }),
    line({ type: 'brand_new' }),
  ])
    assert.deepEqual(parseClaudeLine(raw), { kind: 'parts', parts: [{ type: 'unknown-line', raw }] });
  const long = parseClaudeLine('x'.repeat(5_000));
  assert.ok(
    long.kind === 'parts' && long.parts[0]?.type === 'unknown-line' && long.parts[0].raw.length === 2_000,
  );
});

test('the files a turn wrote: Write, Edit, MultiEdit and NotebookEdit calls, not reads', () => {
  const call = (name: string, input: unknown) => ({ type: 'tool-call' as const, id: name, name, input });
  assert.deepEqual(
    writtenPaths([
      call('Write', { file_path: '/w/a.ts' }),
      call('Edit', { file_path: 'b.ts' }),
      call('MultiEdit', { file_path: '/w/c.ts' }),
      call('NotebookEdit', { notebook_path: '/w/d.ipynb' }),
      call('Read', { file_path: '/w/e.ts' }),
      call('Write', 'not an object'),
      { type: 'text-delta', text: 'Write' },
    ]),
    ['/w/a.ts', 'b.ts', '/w/c.ts', '/w/d.ipynb'],
  );
});

test("a rejected rate-limit event names its window, which a usage limit's failure carries", () => {
  const parsed = parseClaudeLine(
    JSON.stringify({
      type: 'rate_limit_event',
      rate_limit_info: { status: 'rejected', resetsAt: 1_767_225_600, rateLimitType: 'five_hour' },
    }),
  );
  assert.equal(parsed.kind, 'parts');
  const parts = parsed.kind === 'parts' ? parsed.parts : [];
  assert.deepEqual(parts, [
    {
      type: 'retry-notice',
      message: 'rate limit reached (five_hour); it resets at 2026-01-01T00:00:00.000Z',
      status: 429,
      resetAt: 1_767_225_600_000,
      window: 'five_hour',
    },
  ]);
  assert.equal(announcedWindow(parts), 'five_hour');
  assert.equal(announcedWindow([]), undefined);
});
