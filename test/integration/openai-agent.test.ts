import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AgentResult, AgentStreamPart, AgentTask } from '../../src/agents/agent.js';
import type { AgentDeps } from '../../src/agents/agent-deps.js';
import { completeChat } from '../../src/agents/openai/complete-chat.js';
import { createOpenAiAgent, type OpenAiAgentOptions } from '../../src/agents/openai/openai-agent.js';
import type { OpenAiSpec } from '../../src/agents/openai/openai-spec.js';
import { MemoryProcessRegistry } from '../../src/agents/process/process-registry.js';
import { ProviderLimiters } from '../../src/limits/provider-limiter.js';
import { defaultBackoff, type StepDefinition } from '../../src/protocol/plan-types.js';
import { providerKey } from '../../src/review/build-reviewers.js';
import { withHeadroom } from '../../src/review/review-settings.js';
import { type Clock, systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { waitFor } from '../support/cli.js';
import { FakeClock } from '../support/fake-clock.js';
import {
  httpError,
  type ModelServer,
  malformed,
  repeat,
  type Script,
  startModelServer,
  type Turn,
  text,
  toolCall,
  toolCalls,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

const keyName = 'SCRIPTED_OPENAI_KEY';
const apiKey = 'sk-scripted-SECRET-0123456789abcdef';

async function serve(script: Script): Promise<ModelServer> {
  const server = await startModelServer({ script });
  test.after(() => server.close());
  return server;
}

function specFor(server: ModelServer, overrides: Partial<OpenAiSpec> = {}): OpenAiSpec {
  return {
    name: 'scripted-openai',
    adapter: 'openai',
    command: '',
    args: [],
    env: {},
    passEnv: [],
    pool: { size: 1, prewarm: 0, maxUses: 1, maxAgeMs: 60_000, maxMemoryBytes: 1e9, idleTimeoutMs: 60_000 },
    capabilities: ['execute', 'plan', 'review'],
    baseUrl: `${server.url}/v1`,
    model: 'scripted-model',
    apiKeyEnv: keyName,
    ...overrides,
  };
}

function depsFor(
  workspace: string,
  environment: Record<string, string> = { [keyName]: apiKey },
  clock: Clock = systemClock,
): AgentDeps {
  return {
    clock,
    logger: silentLogger,
    environment,
    maxLogBytes: 1024 * 1024,
    killGraceMs: 500,
    processes: new MemoryProcessRegistry(),
    workspace,
  };
}

interface Harness {
  workspace: string;
  logFile: string;
  parts: AgentStreamPart[];
  controller: AbortController;
  task: AgentTask;
}

function harness(prompt: string, step: Partial<StepDefinition> = {}): Harness {
  const root = tempDir('openai-agent-');
  const workspace = join(root, 'ws');
  mkdirSync(workspace);
  const logFile = join(root, 'logs', 'step.1.log');
  const parts: AgentStreamPart[] = [];
  const controller = new AbortController();
  const task: AgentTask = {
    runId: 'run-1',
    stepId: 'step',
    attempt: 1,
    step: {
      id: 'step',
      label: 'step',
      agent: 'scripted-openai',
      needs: [],
      retries: 0,
      backoff: defaultBackoff,
      prompt,
      ...step,
    },
    workspace,
    logFile,
    signal: controller.signal,
    onProcessStarted: () => assert.fail('an HTTP agent has no process to report'),
    onEvent: (part) => parts.push(part),
  };
  return { workspace, logFile, parts, controller, task };
}

async function runStep(
  script: Script,
  prompt = 'Do the task',
  options: { step?: Partial<StepDefinition>; agent?: OpenAiAgentOptions; spec?: Partial<OpenAiSpec> } = {},
) {
  const server = await serve(script);
  const h = harness(prompt, options.step);
  const agent = createOpenAiAgent(specFor(server, options.spec), depsFor(h.workspace), options.agent);
  const result = await agent.run(h.task);
  return { ...h, server, result, transcript: readFileSync(h.logFile, 'utf8') };
}

function failureOf(result: AgentResult) {
  assert.equal(result.ok, false, `expected a failure, got ${JSON.stringify(result)}`);
  return result.ok ? assert.fail() : result.failure;
}

test('the model writes a file through write_file, then answers: file, final text, filesChanged and usage', async (t) => {
  const startedAt = Date.now();
  const run = await runStep(
    [
      toolCall('write_file', { path: 'src/hello.txt', content: 'hello from the model\n' }),
      text('Wrote src/hello.txt. DONE-MARKER'),
    ],
    'Create src/hello.txt',
  );
  const firstRequestAt = run.server.requests[0]?.receivedAt ?? Number.NaN;
  t.diagnostic(
    `run() → first model request: ${firstRequestAt - startedAt} ms; whole step: ${Date.now() - startedAt} ms`,
  );
  assert.equal(run.result.ok, true, JSON.stringify(run.result));
  assert.equal(readFileSync(join(run.workspace, 'src', 'hello.txt'), 'utf8'), 'hello from the model\n');
  assert.deepEqual(run.result, {
    ok: true,
    output: 'Wrote src/hello.txt. DONE-MARKER',
    usage: { inputTokens: 20, outputTokens: 23 },
    filesChanged: ['src/hello.txt'],
  });
  const [first, second] = run.server.modelRequests();
  assert.equal(first?.stream, true);
  assert.deepEqual(
    first?.tools.map((tool) => tool.name),
    ['list_files', 'read_file', 'write_file', 'edit_file'],
  );
  assert.equal(first?.lastUserText, 'Create src/hello.txt');
  assert.deepEqual((first?.body as Record<string, unknown> | undefined)?.stream_options, {
    include_usage: true,
  });
  assert.deepEqual(
    second?.pendingToolResults.map((result) => result.output),
    ['created src/hello.txt (21 bytes)'],
  );
  assert.equal(
    run.server.requests[0]?.headers.authorization,
    `<redacted ${`Bearer ${apiKey}`.length} chars>`,
  );
  const types = run.parts.map((part) => part.type);
  assert.deepEqual(
    types.filter((type) => type !== 'text-delta'),
    ['usage-report', 'tool-call', 'tool-result', 'usage-report'],
  );
  const said = run.parts.flatMap((part) => (part.type === 'text-delta' ? [part.text] : [])).join('');
  assert.equal(said, 'Wrote src/hello.txt. DONE-MARKER');
  assert.deepEqual(
    run.parts.find((part) => part.type === 'tool-call'),
    {
      type: 'tool-call',
      id: 'call_scripted_2',
      name: 'write_file',
      input: { path: 'src/hello.txt', content: 'hello from the model\n' },
    },
  );
  assert.match(
    run.transcript,
    /→ POST http:\/\/127\.0\.0\.1:\d+\/v1\/chat\/completions model=scripted-model/,
  );
  assert.match(run.transcript, /\[tool-call call_scripted_2\] write_file/);
  assert.match(run.transcript, /\[tool-result call_scripted_2\] created src\/hello\.txt/);
  assert.match(run.transcript, /Wrote src\/hello\.txt\. DONE-MARKER/);
});

test('read_file and edit_file round trips: the model sees the file, edits it, and the edit lands', async () => {
  const script: Script = [
    toolCall('read_file', { path: 'config.json' }),
    toolCall('edit_file', { path: 'config.json', old_string: '"debug": false', new_string: '"debug": true' }),
    toolCall('edit_file', { path: 'config.json', old_string: '"missing": 1', new_string: 'x' }),
    toolCall('read_file', { path: 'config.json', offset: 2, limit: 1 }),
    text('Turned debug on.'),
  ];
  const server = await serve(script);
  const h = harness('Turn debug on');
  writeFileSync(join(h.workspace, 'config.json'), '{\n  "debug": false,\n  "port": 8080\n}\n');
  const result = await createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(h.task);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(
    readFileSync(join(h.workspace, 'config.json'), 'utf8'),
    '{\n  "debug": true,\n  "port": 8080\n}\n',
  );
  const outputs = server
    .modelRequests()
    .slice(1)
    .map((request) => request.pendingToolResults[0]?.output);
  assert.deepEqual(outputs, [
    '{\n  "debug": false,\n  "port": 8080\n}',
    'edited config.json: replaced 1 occurrence',
    'Error: old_string was not found in config.json; it must match exactly, including whitespace and indentation (read_file shows the text)',
    '  "debug": true,\n[lines 2-2 of 4; continue with offset=3]',
  ]);
  assert.deepEqual(result.ok && result.filesChanged, ['config.json']);
  const results = h.parts.flatMap((part) => (part.type === 'tool-result' ? [part.isError] : []));
  assert.deepEqual(results, [false, false, true, false]);
});

test('path escapes are refused as error results and nothing is written outside the workspace', async () => {
  const server = await serve([
    toolCalls([
      { name: 'write_file', input: { path: '../escaped.txt', content: 'x' } },
      { name: 'read_file', input: { path: '/etc/passwd' } },
      { name: 'write_file', input: { path: 'out/planted.txt', content: 'x' } },
      { name: 'read_file', input: { path: 'secret-link' } },
      { name: 'edit_file', input: { path: 'secret-link', old_string: 'secret', new_string: 'owned' } },
      { name: 'write_file', input: { path: '.git/hooks/pre-commit', content: 'rm -rf /' } },
    ]),
    text('I could not do any of that.'),
  ]);
  const h = harness('Escape');
  const outside = join(h.workspace, '..', 'outside');
  mkdirSync(outside);
  writeFileSync(join(outside, 'secret.txt'), 'secret');
  symlinkSync(outside, join(h.workspace, 'out'));
  symlinkSync(join(outside, 'secret.txt'), join(h.workspace, 'secret-link'));
  mkdirSync(join(h.workspace, '.git', 'hooks'), { recursive: true });
  const result = await createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(h.task);
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(result.ok && result.filesChanged, undefined);
  const outputs = server.modelRequests()[1]?.pendingToolResults.map((entry) => entry.output) ?? [];
  assert.equal(outputs.length, 6);
  assert.match(outputs[0] ?? '', /^Error: \.\.\/escaped\.txt is outside the workspace/);
  assert.match(outputs[1] ?? '', /^Error: absolute paths are not allowed/);
  assert.match(outputs[2] ?? '', /^Error: out\/planted\.txt leads outside the workspace/);
  assert.match(outputs[3] ?? '', /^Error: secret-link leads outside the workspace/);
  assert.match(outputs[4] ?? '', /^Error: secret-link leads outside the workspace/);
  assert.match(outputs[5] ?? '', /^Error: \.git\/hooks\/pre-commit is inside \.git/);
  assert.ok(!outputs.some((output) => output.includes('root:')), 'no /etc/passwd content reached the model');
  assert.equal(existsSync(join(h.workspace, '..', 'escaped.txt')), false);
  assert.equal(existsSync(join(outside, 'planted.txt')), false);
  assert.equal(readFileSync(join(outside, 'secret.txt'), 'utf8'), 'secret');
  assert.equal(existsSync(join(h.workspace, '.git', 'hooks', 'pre-commit')), false);
});

test('a read-only step (analyze) is offered only the read tools, and a write it attempts anyway is refused', async () => {
  const run = await runStep(
    [toolCall('write_file', { path: 'x.txt', content: 'x' }), text('Analysis: fine.')],
    'Analyze',
    {
      step: { action: 'analyze' },
    },
  );
  assert.equal(run.result.ok, true);
  assert.deepEqual(
    run.server.modelRequests()[0]?.tools.map((tool) => tool.name),
    ['list_files', 'read_file'],
  );
  assert.match(
    run.server.modelRequests()[1]?.pendingToolResults[0]?.output ?? '',
    /not available in a read-only step/,
  );
  assert.equal(existsSync(join(run.workspace, 'x.txt')), false);
});

test('a model that keeps calling tools fails permanently after maxToolRounds rounds', async () => {
  const run = await runStep(repeat(toolCall('list_files', {}), 5), 'Loop', { agent: { maxToolRounds: 2 } });
  const failure = failureOf(run.result);
  assert.deepEqual([failure.code, failure.kind], ['AGENT_ERROR', 'permanent']);
  assert.match(failure.message, /too many tool rounds/);
  assert.equal(run.server.modelRequests().length, 3);
  assert.deepEqual(run.result.usage, { inputTokens: 30, outputTokens: 3 });
});

// The contract suite covers a 429 with retry-after, a 500 and a 401's code; here, what only this client does.
test('HTTP failures are classified: 429 (plain and retry-after-ms), 401 with its fix, 402, 400 — each after one request', async () => {
  const cases: Array<{ turn: Script; code: string; kind: string; resetInMs?: number; message?: RegExp }> = [
    { turn: [httpError(429)], code: 'RATE_LIMITED', kind: 'transient' },
    {
      turn: [httpError(429, { retryAfterMs: '2500' })],
      code: 'RATE_LIMITED',
      kind: 'transient',
      resetInMs: 2_500,
    },
    {
      turn: [httpError(401, { message: 'Invalid API key' })],
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: new RegExp(`Invalid API key; set ${keyName}`),
    },
    {
      turn: [
        httpError(402, {
          message: 'You have exceeded your monthly included credits for Inference Providers.',
        }),
      ],
      code: 'USAGE_LIMIT',
      kind: 'permanent',
      message: /answered 402: You have exceeded your monthly included credits/,
    },
    {
      turn: [httpError(400, { message: 'The model `nope` does not exist' })],
      code: 'MODEL_ERROR',
      kind: 'permanent',
      message: /does not exist/,
    },
  ];
  for (const expected of cases) {
    const before = Date.now();
    const run = await runStep(expected.turn);
    const failure = failureOf(run.result);
    const label = JSON.stringify(expected.turn);
    assert.deepEqual([failure.code, failure.kind], [expected.code, expected.kind], label);
    assert.equal(run.server.modelRequests().length, 1, `${label}: the adapter does not retry by itself`);
    const [turn] = expected.turn as readonly Turn[];
    assert.equal(failure.apiStatus, turn?.kind === 'error' ? turn.status : undefined);
    if (expected.message) assert.match(failure.message, expected.message, label);
    if (expected.resetInMs === undefined) assert.equal(failure.resetAt, undefined, label);
    else {
      assert.ok((failure.resetAt ?? 0) >= before + expected.resetInMs, label);
      assert.ok((failure.resetAt ?? 0) <= Date.now() + expected.resetInMs, label);
    }
  }
});

test('malformed streams are transient: bad JSON and non-SSE bodies are PROTOCOL_ERRORs, a cut stream a MODEL_ERROR', async () => {
  const bad = await runStep([malformed('invalid-json')]);
  assert.deepEqual([failureOf(bad.result).code, failureOf(bad.result).kind], ['PROTOCOL_ERROR', 'transient']);
  assert.match(failureOf(bad.result).message, /malformed stream: a stream event is not JSON/);
  const html = await runStep([malformed('not-sse')]);
  assert.deepEqual(
    [failureOf(html.result).code, failureOf(html.result).kind],
    ['PROTOCOL_ERROR', 'transient'],
  );
  assert.deepEqual(
    html.parts.filter((part) => part.type === 'unknown-line'),
    [{ type: 'unknown-line', raw: '<html><body>this is not what the client asked for</body></html>' }],
  );
  const cut = await runStep([malformed('truncated-stream')]);
  assert.deepEqual([failureOf(cut.result).code, failureOf(cut.result).kind], ['MODEL_ERROR', 'transient']);
  assert.match(failureOf(cut.result).message, /broke off/);
});

test('an endpoint that rejects stream_options is asked again without it, once per agent', async () => {
  const server = await serve([
    httpError(400, { message: 'Unrecognized request argument supplied: stream_options' }),
    text('first'),
    text('second'),
  ]);
  const h = harness('hi');
  const agent = createOpenAiAgent(specFor(server), depsFor(h.workspace));
  const first = await agent.run(h.task);
  assert.deepEqual(first, { ok: true, output: 'first', usage: { inputTokens: 10, outputTokens: 2 } });
  assert.ok(h.parts.some((part) => part.type === 'warning' && /rejects stream_options/.test(part.message)));
  const second = await agent.run(harness('again').task);
  assert.equal(second.ok && second.output, 'second');
  const sent = server.modelRequests().map((request) => 'stream_options' in (request.body as object));
  assert.deepEqual(sent, [true, false, false]);
});

test('a missing key fails before any request, naming the variable; an unreachable server is transient', async () => {
  const server = await serve([text('never')]);
  const h = harness('hi');
  const noKey = await createOpenAiAgent(specFor(server), depsFor(h.workspace, {})).run(h.task);
  assert.deepEqual([failureOf(noKey).code, failureOf(noKey).kind], ['AUTH_FAILED', 'permanent']);
  assert.match(failureOf(noKey).message, new RegExp(`${keyName} is not set`));
  assert.equal(server.requests.length, 0);
  await server.close();
  const gone = await createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(harness('hi').task);
  assert.deepEqual([failureOf(gone).code, failureOf(gone).kind], ['AGENT_UNAVAILABLE', 'transient']);
});

/** The server's open sockets (local and remote address), listener excluded, from the kernel's table. */
function serverSockets(port: number): string[] {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6'].flatMap((file) =>
    existsSync(file)
      ? readFileSync(file, 'utf8')
          .split('\n')
          .slice(1)
          .map((line) => line.trim().split(/\s+/))
          .filter((fields) => fields[1]?.endsWith(`:${hex}`) && fields[3] !== '0A')
          .map((fields) => `${fields[1]} ${fields[2]}`)
      : [],
  );
}

test('aborting while the model is thinking returns ABORTED at once and closes the connection', async (t) => {
  // The model would answer only after 60 s.
  const server = await serve([text('too late', { delayMs: 60_000 })]);
  const h = harness('slow');
  const pending = createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(h.task);
  await waitFor(() => server.requests.length === 1, 'the request to arrive');
  // The server's end of the step's connection. (After an abort, Node's fetch may open a spare idle one.)
  const [connection] = serverSockets(server.port);
  assert.ok(connection, 'the connection is open while the model thinks');
  const abortedAt = Date.now();
  h.controller.abort();
  const result = await pending;
  const tookMs = Date.now() - abortedAt;
  t.diagnostic(`abort → ABORTED result: ${tookMs} ms`);
  assert.deepEqual(failureOf(result), { code: 'ABORTED', kind: 'transient', message: 'stopped' });
  assert.equal(server.requests[0]?.answeredAt, undefined, 'the step waited for the model to answer');
  await waitFor(() => !serverSockets(server.port).includes(connection), 'the server to close its end', 5_000);
  await waitFor(
    () => server.requests[0]?.abandonedAt !== undefined,
    'the call to be dropped unanswered',
    5_000,
  );
});

test('an endpoint silent for longer than the idle timeout fails the step as a transient TIMEOUT', async () => {
  const server = await serve([text('too late', { delayMs: 1_500 })]);
  const h = harness('slow');
  const clock = new FakeClock();
  const agent = createOpenAiAgent(specFor(server), depsFor(h.workspace, undefined, clock), {
    idleTimeoutMs: 60_000,
  });
  const pending = agent.run(h.task);
  await waitFor(() => server.requests.length === 1, 'the request to arrive');
  await clock.advance(60_000);
  const failure = failureOf(await pending);
  assert.deepEqual([failure.code, failure.kind], ['TIMEOUT', 'transient']);
  assert.match(failure.message, /no data from 127\.0\.0\.1:\d+ for 60 s/);
});

test('aborting mid-stream stops the step before the tool call it was streaming runs', async () => {
  const server = await serve([
    toolCall('write_file', { path: 'late.txt', content: 'x' }, { text: 'I will write late.txt now' }),
  ]);
  const h = harness('write');
  h.task.onEvent = (part) => {
    h.parts.push(part);
    if (part.type === 'text-delta') h.controller.abort();
  };
  const result = await createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(h.task);
  assert.equal(failureOf(result).code, 'ABORTED');
  assert.equal(existsSync(join(h.workspace, 'late.txt')), false);
});

test('the API key never appears in the transcript, the events or failure messages, even when echoed or read', async () => {
  const echoed = await runStep([httpError(401, { message: `Incorrect API key provided: ${apiKey}` })]);
  const failure = failureOf(echoed.result);
  assert.equal(failure.code, 'AUTH_FAILED');
  assert.ok(!failure.message.includes(apiKey), failure.message);
  assert.match(failure.message, /Incorrect API key provided: <redacted>/);
  assert.ok(!echoed.transcript.includes(apiKey));
  assert.match(echoed.transcript, /<redacted>/);

  const server = await serve([toolCall('read_file', { path: '.env' }), text(`The key is ${apiKey}`)]);
  const h = harness('What is in .env?');
  writeFileSync(join(h.workspace, '.env'), `${keyName}=${apiKey}\n`);
  const result = await createOpenAiAgent(specFor(server), depsFor(h.workspace)).run(h.task);
  assert.equal(result.ok, true);
  const transcript = readFileSync(h.logFile, 'utf8');
  assert.ok(transcript.length > 200);
  assert.ok(!transcript.includes(apiKey), 'transcript');
  const toolResults = h.parts.filter((part) => part.type === 'tool-result');
  assert.ok(!JSON.stringify(toolResults).includes(apiKey), 'tool-result events');
});

test('completeChat: one streamed completion without tools, text and usage out, failures classified', async (t) => {
  const server = await serve([text('The plan looks sound.'), httpError(429, { retryAfter: '3' })]);
  const spec = specFor(server);
  const deps = depsFor(tempDir());
  const deltas: string[] = [];
  const startedAt = Date.now();
  const answer = await completeChat(spec, deps, {
    messages: [
      { role: 'system', content: 'You review plans.' },
      { role: 'user', content: 'Review this plan.' },
    ],
    signal: new AbortController().signal,
    onText: (piece) => deltas.push(piece),
  });
  t.diagnostic(`completeChat round trip: ${Date.now() - startedAt} ms`);
  assert.deepEqual(answer, {
    ok: true,
    text: 'The plan looks sound.',
    usage: { inputTokens: 10, outputTokens: 6 },
    finishReason: 'stop',
    model: 'scripted-model',
  });
  assert.equal(deltas.join(''), 'The plan looks sound.');
  assert.deepEqual(server.modelRequests()[0]?.tools, []);
  const limited = await completeChat(spec, deps, {
    messages: [{ role: 'user', content: 'again' }],
    signal: new AbortController().signal,
  });
  assert.equal(limited.ok, false);
  assert.equal(!limited.ok && limited.failure.code, 'RATE_LIMITED');
  // Free again 3 s (the retry-after) from when the provider refused it, on the server's own record.
  const refusedAt = server.requests.at(-1)?.receivedAt ?? Number.POSITIVE_INFINITY;
  assert.ok(!limited.ok && (limited.failure.resetAt ?? 0) >= refusedAt + 3_000);
});

test('per-step overhead on a warm agent (measured)', async (t) => {
  const steps = 7;
  const server = await serve(repeat(text('ok'), steps));
  const workspace = tempDir();
  const agent = createOpenAiAgent(specFor(server), depsFor(workspace));
  const toRequest: number[] = [];
  const total: number[] = [];
  for (let index = 0; index < steps; index++) {
    const h = harness('hi');
    const startedAt = Date.now();
    const result = await agent.run(h.task);
    total.push(Date.now() - startedAt);
    toRequest.push((server.requests[index]?.receivedAt ?? Number.NaN) - startedAt);
    assert.equal(result.ok, true);
  }
  const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
  t.diagnostic(
    `first step: run() → request ${toRequest[0]} ms, whole step ${total[0]} ms; ` +
      `later steps (median): run() → request ${median(toRequest.slice(1))} ms, whole step ${median(total.slice(1))} ms`,
  );
});

test('steps of an API agent wait for the provider’s shared limiter: no 429s where the unthrottled agent gets them', async () => {
  // One request a second beyond a burst of 3: slow enough that six steps started together hit the limit
  // however loaded the machine is, fast enough that the throttled run takes a few seconds.
  const rateLimit = { requestsPerMinute: 60, burst: 3 };
  const steps = 6;
  async function runAll(limited: boolean): Promise<{ rateLimited: number; succeeded: number }> {
    const server = await startModelServer({ script: repeat(text('done'), steps), rateLimit });
    test.after(() => server.close());
    const limiters = new ProviderLimiters({ clock: systemClock });
    const spec = specFor(server);
    const deps: AgentDeps = {
      ...depsFor(tempDir()),
      ...(limited && {
        // What the runtime does: one limiter per provider, keyed like the reviewers', limits from config.
        limiterFor: (agentSpec: OpenAiSpec) => limiters.get(providerKey(agentSpec), withHeadroom(rateLimit)),
      }),
    };
    const agent = createOpenAiAgent(spec, deps);
    const results = await Promise.all(
      Array.from({ length: steps }, (_, index) => agent.run(harness(`Task ${index}`).task)),
    );
    return { rateLimited: server.rateLimited, succeeded: results.filter((result) => result.ok).length };
  }
  const unthrottled = await runAll(false);
  assert.ok(unthrottled.rateLimited > 0, 'the provider limit is real: unthrottled steps hit it');
  const throttled = await runAll(true);
  assert.equal(throttled.rateLimited, 0);
  assert.equal(throttled.succeeded, steps);
});
