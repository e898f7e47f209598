import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, type TestContext, test } from 'node:test';
import {
  agentCliMissing,
  claudeInvocation,
  claudeUserMessage,
  codexInvocation,
  geminiInvocation,
  runAgentCli,
  startAgentCli,
} from '../support/agent-cli-env.js';
import {
  httpError,
  type ModelServer,
  type ModelServerOptions,
  repeat,
  startModelServer,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

// The REAL claude, codex and gemini CLIs (test/agent-clis, installed by scripts/install-agent-clis.sh),
// spawned directly and run offline against the scripted model server: only the model is scripted, the
// tools run for real in a temp workspace. What these tests pin down is written up in
// test/support/model-server/PROTOCOL-NOTES.md; our adapters rely on it.

interface Setup {
  server: ModelServer;
  workspace: string;
  home: string;
}

/** A temp workspace and HOME, and a server whose options may name files in the workspace. */
async function setUp(t: TestContext, options: (workspace: string) => ModelServerOptions): Promise<Setup> {
  const workspace = tempDir('ai-collab-agent-ws-');
  const server = await startModelServer(options(workspace));
  t.after(() => server.close());
  return { server, workspace, home: tempDir('ai-collab-agent-home-') };
}

function mainRequests(server: ModelServer) {
  return server.modelRequests().filter((request) => !request.auxiliary);
}

function ofType(events: Record<string, unknown>[], type: string): Record<string, unknown>[] {
  return events.filter((event) => event.type === type);
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

describe('claude (real CLI) against the scripted model server', { skip: agentCliMissing('claude') }, () => {
  test('a Write tool call creates the file; the one-shot json result is the scripted final text', async (t) => {
    const { server, workspace, home } = await setUp(t, (workspace) => ({
      script: [
        toolCall('Write', { file_path: join(workspace, 'hello.txt'), content: 'hello from claude\n' }),
        text('Created hello.txt. CLAUDE-DONE'),
      ],
    }));
    const file = join(workspace, 'hello.txt');
    const result = await runAgentCli(
      claudeInvocation({
        serverUrl: server.url,
        workspace,
        home,
        mode: 'json',
        prompt: 'Create hello.txt',
      }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'hello from claude\n');
    const final = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(final.type, 'result');
    assert.equal(final.is_error, false);
    assert.equal(final.result, 'Created hello.txt. CLAUDE-DONE');
    assert.equal(final.num_turns, 2);

    // What the CLI sends: a HEAD / probe, then Messages calls with the key and version headers.
    assert.equal(server.requests[0]?.method, 'HEAD');
    const [first, second] = mainRequests(server);
    const call = server.requests.find((request) => request.model === first);
    assert.equal(call?.headers['anthropic-version'], '2023-06-01');
    assert.match(call?.headers['x-api-key'] ?? '', /^<redacted/);
    assert.equal(first?.stream, true);
    const names = first?.tools.map((tool) => tool.name) ?? [];
    for (const tool of ['Bash', 'Edit', 'Read', 'Write']) assert.ok(names.includes(tool), tool);
    assert.equal(second?.pendingToolResults[0]?.name, 'Write');
    assert.equal(second?.pendingToolResults[0]?.isError, false);
    assert.equal(server.remainingTurns, 0);
    t.diagnostic(
      `first model request ${seconds((first ? requestTime(server, first.index) : 0) - result.startedAt)} after spawn`,
    );
  });

  test('stream-json input: one long-lived process answers two turns', async (t) => {
    const { server, workspace, home } = await setUp(t, (workspace) => ({
      // Decided by the prompt's marker, so the test does not depend on how many calls a turn takes.
      script: (request) => {
        if (request.lastUserText.includes('TURN-ONE')) {
          return request.pendingToolResults.length === 0
            ? toolCall('Write', { file_path: join(workspace, 'one.txt'), content: 'one\n' })
            : text('Turn one done. FIRST-DONE');
        }
        return request.lastUserText.includes('TURN-TWO') ? text('Turn two done. SECOND-DONE') : undefined;
      },
    }));
    const cli = startAgentCli(
      claudeInvocation({ serverUrl: server.url, workspace, home, mode: 'stream-json' }),
    );
    const results = () => ofType(cli.eventsSoFar(), 'result');
    cli.child.stdin?.write(claudeUserMessage('Write one.txt. TURN-ONE'));
    await waitUntil(() => results().length === 1, 'the first result line');
    cli.child.stdin?.write(claudeUserMessage('Now say done. TURN-TWO'));
    await waitUntil(() => results().length === 2, 'the second result line');
    cli.child.stdin?.end();
    const result = await cli.result;

    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(workspace, 'one.txt'), 'utf8'), 'one\n');
    const [one, two] = ofType(result.events, 'result');
    assert.equal(one?.result, 'Turn one done. FIRST-DONE');
    assert.equal(two?.result, 'Turn two done. SECOND-DONE');
    assert.equal(one?.session_id, two?.session_id, 'one session across turns');
    const inits = ofType(result.events, 'system').filter((event) => event.subtype === 'init');
    assert.ok(inits.length >= 1, 'an init line');
    const toolUses = ofType(result.events, 'assistant').filter((event) =>
      JSON.stringify(event).includes('"tool_use"'),
    );
    assert.equal(toolUses.length, 1);
    t.diagnostic(
      `init lines: ${inits.length}; events: ${result.events.map((event) => event.type).join(' ')}`,
    );
  });

  test('500 then persistent 429: an error result on stdout, exit code 1, after the configured retries', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [httpError(500), ...repeat(httpError(429), 10)],
    }));
    const result = await runAgentCli(
      claudeInvocation({
        serverUrl: server.url,
        workspace,
        home,
        mode: 'json',
        prompt: 'Hello',
        maxRetries: 2,
      }),
    );
    assert.equal(result.code, 1, result.stderr);
    const final = JSON.parse(result.stdout) as Record<string, unknown>;
    assert.equal(final.type, 'result');
    assert.equal(final.is_error, true);
    assert.equal(final.api_error_status, 429);
    assert.match(String(final.result), /429.*Rate limited by the scripted model server/);
    // CLAUDE_CODE_MAX_RETRIES=2: the first try and two retries.
    const statuses = mainRequests(server).map((request) => answerStatus(server, request.index));
    assert.deepEqual(statuses, [500, 429, 429]);
    t.diagnostic(`gave up after ${seconds(result.endedAt - result.startedAt)}: ${String(final.result)}`);
  });

  test('latency: the scripted delay is between the model request and the answer', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [text('Slow answer. SLOW-DONE', { delayMs: 1500 })],
    }));
    const result = await runAgentCli(
      claudeInvocation({ serverUrl: server.url, workspace, home, mode: 'json', prompt: 'Hi' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as Record<string, unknown>).result, 'Slow answer. SLOW-DONE');
    const main = mainRequests(server)[0];
    assert.ok(main);
    const askedAt = requestTime(server, main.index);
    assert.ok(result.endedAt - askedAt >= 1500, `answered ${result.endedAt - askedAt} ms after the request`);
    t.diagnostic(
      `model request ${seconds(askedAt - result.startedAt)} after spawn; exit ${seconds(result.endedAt - askedAt)} after it`,
    );
  });
});

describe('codex (real CLI) against the scripted model server', { skip: agentCliMissing('codex') }, () => {
  test('an apply_patch tool call creates the file; the agent_message is the scripted final text', async (t) => {
    const patch = '*** Begin Patch\n*** Add File: hello.txt\n+hello from codex\n*** End Patch\n';
    const { server, workspace, home } = await setUp(t, () => ({
      script: [toolCall('apply_patch', patch), text('Created hello.txt. CODEX-DONE')],
    }));
    const result = await runAgentCli(
      codexInvocation({ serverUrl: server.url, workspace, home, prompt: 'Create hello.txt' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(workspace, 'hello.txt'), 'utf8'), 'hello from codex\n');
    const types = result.events.map((event) => event.type);
    assert.deepEqual(types, [
      'thread.started',
      'turn.started',
      'item.started',
      'item.completed',
      'item.completed',
      'turn.completed',
    ]);
    const items = ofType(result.events, 'item.completed').map(
      (event) => event.item as Record<string, unknown>,
    );
    assert.equal(items[0]?.type, 'file_change');
    assert.equal(items[1]?.type, 'agent_message');
    assert.equal(items[1]?.text, 'Created hello.txt. CODEX-DONE');

    const [first, second] = mainRequests(server);
    assert.equal(first?.api, 'openai-responses');
    assert.ok(first?.tools.some((tool) => tool.name === 'apply_patch' && tool.type === 'custom'));
    assert.ok(first?.tools.some((tool) => tool.name === 'exec_command' && tool.type === 'function'));
    assert.match(server.requests[0]?.headers.authorization ?? '', /^<redacted/);
    assert.match(second?.pendingToolResults[0]?.output ?? '', /Success/);
    t.diagnostic(`first model request ${seconds(requestTime(server, 0) - result.startedAt)} after spawn`);
  });

  test('an exec_command tool call runs a shell command in the workspace', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [
        toolCall('exec_command', { cmd: "printf 'from the shell\\n' > shell.txt" }),
        text('Ran it. CODEX-SHELL-DONE'),
      ],
    }));
    const result = await runAgentCli(
      codexInvocation({ serverUrl: server.url, workspace, home, prompt: 'Run it' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(workspace, 'shell.txt'), 'utf8'), 'from the shell\n');
    const command = ofType(result.events, 'item.completed')
      .map((event) => event.item as Record<string, unknown>)
      .find((item) => item.type === 'command_execution');
    assert.equal(command?.exit_code, 0);
    assert.equal(command?.status, 'completed');
  });

  test('500 then persistent 429: turn.failed on stdout, exit code 1; a 429 without retry-after is not retried', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [httpError(500), ...repeat(httpError(429), 10)],
    }));
    const result = await runAgentCli(
      codexInvocation({
        serverUrl: server.url,
        workspace,
        home,
        prompt: 'Hello',
        requestMaxRetries: 1,
        streamMaxRetries: 1,
      }),
    );
    assert.equal(result.code, 1, result.stderr);
    const failed = ofType(result.events, 'turn.failed')[0];
    assert.match(JSON.stringify(failed), /exceeded retry limit, last status: 429 Too Many Requests/);
    assert.deepEqual(
      mainRequests(server).map((request) => answerStatus(server, request.index)),
      [500, 429],
    );
    t.diagnostic(`gave up after ${seconds(result.endedAt - result.startedAt)}`);
  });
});

describe('gemini (real CLI) against the scripted model server', { skip: agentCliMissing('gemini') }, () => {
  test('a write_file tool call creates the file (approval mode auto_edit); the stream ends in success', async (t) => {
    const { server, workspace, home } = await setUp(t, (workspace) => ({
      script: [
        toolCall('write_file', { file_path: join(workspace, 'hello.txt'), content: 'hello from gemini\n' }),
        text('Created hello.txt. GEMINI-DONE'),
      ],
    }));
    const file = join(workspace, 'hello.txt');
    const result = await runAgentCli(
      geminiInvocation({ serverUrl: server.url, workspace, home, prompt: 'Create hello.txt' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(file, 'utf8'), 'hello from gemini\n');
    const types = result.events.map((event) => event.type);
    assert.deepEqual(types.slice(0, 4), ['init', 'message', 'tool_use', 'tool_result']);
    assert.equal(types.at(-1), 'result');
    assert.equal(ofType(result.events, 'tool_result')[0]?.status, 'success');
    const answer = ofType(result.events, 'message')
      .filter((event) => event.role === 'assistant')
      .map((event) => String(event.content))
      .join('');
    assert.equal(answer, 'Created hello.txt. GEMINI-DONE');
    assert.equal(ofType(result.events, 'result')[0]?.status, 'success');

    const [first] = mainRequests(server);
    assert.equal(first?.api, 'gemini');
    assert.equal(first?.stream, true);
    const names = first?.tools.map((tool) => tool.name) ?? [];
    for (const tool of ['write_file', 'replace', 'read_file']) assert.ok(names.includes(tool), tool);
    // The tool list follows the approval mode: under auto_edit the shell tool is not even offered.
    assert.ok(!names.includes('run_shell_command'));
    assert.match(server.requests[0]?.headers['x-goog-api-key'] ?? '', /^<redacted/);
    t.diagnostic(`first model request ${seconds(requestTime(server, 0) - result.startedAt)} after spawn`);
  });

  test('yolo: a run_shell_command tool call runs a shell command in the workspace', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [
        toolCall('run_shell_command', {
          command: "printf 'from the shell\\n' > shell.txt",
          description: 'Write shell.txt',
        }),
        text('Ran it. GEMINI-SHELL-DONE'),
      ],
    }));
    const result = await runAgentCli(
      geminiInvocation({ serverUrl: server.url, workspace, home, prompt: 'Run it', approvalMode: 'yolo' }),
    );
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readFileSync(join(workspace, 'shell.txt'), 'utf8'), 'from the shell\n');
    assert.equal(ofType(result.events, 'tool_use')[0]?.tool_name, 'run_shell_command');
    assert.equal(ofType(result.events, 'tool_result')[0]?.status, 'success');
  });

  test('500 then persistent 429: an error result on stdout, exit code 429 % 256 = 173', async (t) => {
    const { server, workspace, home } = await setUp(t, () => ({
      script: [httpError(500), ...repeat(httpError(429), 10)],
    }));
    const result = await runAgentCli(
      geminiInvocation({ serverUrl: server.url, workspace, home, prompt: 'Hello', maxAttempts: 2 }),
    );
    // gemini exits with the HTTP status of the error as its exit code, truncated to 8 bits by the OS.
    assert.equal(result.code, 429 % 256, result.stderr);
    const final = ofType(result.events, 'result')[0];
    assert.equal(final?.status, 'error');
    assert.match(JSON.stringify(final?.error), /Rate limited by the scripted model server/);
    assert.deepEqual(
      mainRequests(server).map((request) => answerStatus(server, request.index)),
      [500, 429],
    );
    const [first, second] = mainRequests(server).map((request) => requestTime(server, request.index));
    t.diagnostic(
      `retry after ${seconds((second ?? 0) - (first ?? 0))}; gave up after ${seconds(result.endedAt - result.startedAt)}`,
    );
  });
});

function requestTime(server: ModelServer, modelIndex: number): number {
  return server.requests.find((request) => request.model?.index === modelIndex)?.receivedAt ?? Number.NaN;
}

function answerStatus(server: ModelServer, modelIndex: number): number | undefined {
  return server.requests.find((request) => request.model?.index === modelIndex)?.answer?.status;
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
