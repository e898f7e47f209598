// `ai-collab serve` and `run --serve` as real processes: the server file, starting work over the API,
// MCP over Streamable HTTP behind the same checks, and a clean stop.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ElicitRequestSchema } from '@modelcontextprotocol/sdk/types.js';
import type { ServerFile } from '../../src/server/index.js';
import { type CliProcess, readJsonFile, runCli, startCli, waitFor } from '../support/cli.js';
import { startModelServer, text } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

interface Served {
  cli: CliProcess;
  server: ServerFile;
  stop(): Promise<void>;
}

async function serve(workspace: string, args: string[] = ['serve']): Promise<Served> {
  const cli = startCli(args, { cwd: workspace, env: { SCRIPTED_KEY: 'sk-scripted-0123456789abcdef' } });
  const file = join(workspace, '.ai-collab', 'server.json');
  await waitFor(
    () => existsSync(file) || cli.child.exitCode !== null,
    `${args.join(' ')} to write server.json`,
  );
  const server = readJsonFile<ServerFile>(file);
  assert.ok(server, `no server.json: ${cli.stderrSoFar()}`);
  return {
    cli,
    server,
    stop: async () => {
      if (cli.child.exitCode === null) cli.child.kill('SIGTERM');
      await cli.result;
    },
  };
}

async function api<T>(
  served: Served,
  method: 'GET' | 'POST',
  path: string,
  body?: unknown,
): Promise<{ status: number; body: T }> {
  const response = await fetch(`${served.server.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${served.server.token}`,
      ...(method === 'POST' && { origin: served.server.url, 'content-type': 'application/json' }),
    },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  return { status: response.status, body: (await response.json()) as T };
}

async function waitForStatus(served: Served, runId: string, wanted: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  let status = '';
  while (status !== wanted) {
    if (Date.now() > deadline) throw new Error(`run ${runId} stayed ${status}, never ${wanted}`);
    const run = await api<{ state: { status: string } }>(served, 'GET', `/api/runs/${runId}`);
    status = run.body.state.status;
    if (status !== wanted) await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const plan = `name: served
steps:
  - { id: make, run: "echo made > made.txt" }
  - { id: check, run: "cat made.txt", needs: [make] }
`;

test('ai-collab serve: a 0600 server file, plans posted as text run, invalid ones are refused with their problems, stop is clean', async () => {
  const workspace = tempDir();
  const served = await serve(workspace);
  try {
    // The link is printed after server.json is written: wait for the line rather than read stderr at once.
    await waitFor(
      () => /#login=[0-9a-f]{48}/.test(served.cli.stderrSoFar()) || served.cli.child.exitCode !== null,
      'the sign-in link on stderr',
    );
    assert.match(served.cli.stderrSoFar(), /#login=[0-9a-f]{48}/);
    assert.equal(statSync(join(workspace, '.ai-collab', 'server.json')).mode & 0o777, 0o600);
    assert.match(served.server.url, /^http:\/\/127\.0\.0\.1:\d+$/);

    const invalid = await api<{ error: { code: string; problems: string[] } }>(served, 'POST', '/api/runs', {
      plan: plan.replace('needs: [make]', 'needs: [mak]'),
      file: 'served.yaml',
    });
    assert.equal(invalid.status, 422);
    assert.equal(invalid.body.error.code, 'PLAN_INVALID');
    assert.match(
      invalid.body.error.problems.join('\n'),
      /served\.yaml.*unknown step "mak"; did you mean "make"/,
    );

    const started = await api<{ runId: string; status: string }>(served, 'POST', '/api/runs', { plan });
    assert.equal(started.status, 201);
    // The default approval policy holds the run until someone approves it, here over the API.
    assert.equal(started.body.status, 'awaiting_approval');
    assert.equal(existsSync(join(workspace, 'made.txt')), false);
    const approved = await api<{ ok: boolean }>(
      served,
      'POST',
      `/api/runs/${started.body.runId}/approve`,
      {},
    );
    assert.equal(approved.status, 200);
    await waitForStatus(served, started.body.runId, 'succeeded');
    assert.equal(existsSync(join(workspace, 'made.txt')), true);

    const link = await runCli(['dashboard'], { cwd: workspace });
    assert.equal(link.code, 0, link.stderr);
    assert.match(link.stdout, new RegExp(`^${served.server.url}/#login=[0-9a-f]{48}\\n$`));

    // --open hands the link to the browser ($BROWSER here: a script that records what it was given).
    const browser = join(workspace, 'browser.sh');
    writeFileSync(browser, `#!/bin/sh\necho "$1" > "${join(workspace, 'opened.txt')}"\n`, { mode: 0o755 });
    const opened = await runCli(['dashboard', '--open'], { cwd: workspace, env: { BROWSER: browser } });
    assert.equal(opened.code, 0, opened.stderr);
    await waitFor(() => existsSync(join(workspace, 'opened.txt')), 'the browser to be opened');
    await waitFor(() => readFileSync(join(workspace, 'opened.txt'), 'utf8').includes('#login='), 'the link');
    assert.notEqual(
      readFileSync(join(workspace, 'opened.txt'), 'utf8').trim(),
      link.stdout.trim(),
      'a fresh code',
    );

    const second = await runCli(['serve'], { cwd: workspace });
    assert.equal(second.code, 2);
    assert.match(second.stderr, /already running at http:\/\/127\.0\.0\.1:\d+ \(pid \d+\)/);

    const review = await api<{ error: { code: string } }>(served, 'POST', '/api/review', { code: 'x = 1' });
    assert.equal(review.status, 409);
    assert.equal(review.body.error.code, 'NO_REVIEWER');
  } finally {
    await served.stop();
  }
  const ended = await served.cli.result;
  assert.equal(ended.code, 0, ended.stderr);
  assert.equal(existsSync(join(workspace, '.ai-collab', 'server.json')), false);
  const gone = await runCli(['dashboard'], { cwd: workspace });
  assert.equal(gone.code, 2);
  assert.match(gone.stderr, /no dashboard server is running for this workspace/);
});

test('an approval over HTTP of a run a `run` process waits for: that process runs it, the server does not', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  const served = await serve(workspace);
  const waiting = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  try {
    let runId = '';
    await waitFor(() => {
      runId = /Run (\S+) waits for approval/.exec(waiting.stderrSoFar())?.[1] ?? '';
      return runId !== '';
    }, 'the run process to wait for approval');
    const approved = await api<{ started: boolean; waitingProcess: number }>(
      served,
      'POST',
      `/api/runs/${runId}/approve`,
      {},
    );
    assert.equal(approved.status, 200);
    assert.equal(approved.body.started, false, 'the server did not start it');
    assert.equal(approved.body.waitingProcess, waiting.child.pid);
    const result = await waiting.result;
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'succeeded');
    await waitForStatus(served, runId, 'succeeded');
  } finally {
    await served.stop();
  }
});

test('POST /api/plans plans a task with the configured planner; the plan awaits approval with its confidence and risks', async () => {
  const planned = {
    name: 'one-file',
    rationale: 'A single shell step is enough.',
    risks: [
      {
        severity: 'low',
        category: 'other',
        description: 'none',
        mitigation: 'n/a',
        affectedSteps: ['touch'],
      },
    ],
    confidence: {
      taskClarity: 0.9,
      contextSufficiency: 0.8,
      approachConfidence: 0.9,
      executionFeasibility: 0.9,
      overall: 0.85,
    },
    steps: [{ id: 'touch', agent: 'shell', run: 'echo planned > planned.txt' }],
  };
  const model = await startModelServer({ script: [text(JSON.stringify(planned))] });
  test.after(() => model.close());
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:\n  planner:\n    adapter: openai\n    baseUrl: ${model.url}/v1\n    model: scripted\n    apiKeyEnv: SCRIPTED_KEY\n`,
  );
  const served = await serve(workspace);
  try {
    const started = await api<{
      runId: string;
      status: string;
      confidence: { overall: number };
      risks: string[];
    }>(served, 'POST', '/api/plans', { task: 'Write planned.txt', planner: 'planner' });
    assert.equal(started.status, 201, JSON.stringify(started.body));
    assert.equal(started.body.status, 'awaiting_approval');
    assert.equal(started.body.confidence.overall, 0.85);
    assert.deepEqual(started.body.risks, ['low: none']);
    assert.match(JSON.stringify(model.requests[0]), /Write planned\.txt/);
    await api(served, 'POST', `/api/runs/${started.body.runId}/approve`, {});
    await waitForStatus(served, started.body.runId, 'succeeded');
    assert.equal(existsSync(join(workspace, 'planned.txt')), true);
  } finally {
    await served.stop();
  }
});

test('MCP over Streamable HTTP on the serve port: the same tools; a missing token, a foreign Origin and an unknown session are refused', async () => {
  const workspace = tempDir();
  const served = await serve(workspace);
  const endpoint = new URL(`${served.server.url}/mcp`);
  // A client that asks its person (MCP elicitation), who approves.
  const client = new Client(
    { name: 'ai-collab-test', version: '1.0.0' },
    { capabilities: { elicitation: { form: {} } } },
  );
  const asked: string[] = [];
  client.setRequestHandler(ElicitRequestSchema, (request) => {
    asked.push(request.params.message);
    return { action: 'accept', content: { approve: true } };
  });
  try {
    await client.connect(
      new StreamableHTTPClientTransport(endpoint, {
        requestInit: { headers: { authorization: `Bearer ${served.server.token}` } },
      }),
    );
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'run_plan'));
    const result = await client.callTool({ name: 'run_plan', arguments: { plan } });
    const [content] = result.content as Array<{ text: string }>;
    const { runId } = JSON.parse(content?.text ?? '{}') as { runId: string };
    const approved = await client.callTool({ name: 'approve_plan', arguments: { runId } });
    assert.equal(approved.isError, undefined, JSON.stringify(approved.content));
    assert.equal(asked.length, 1, 'the person was asked over the same HTTP session');
    await waitForStatus(served, runId, 'succeeded');

    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'probe', version: '1' },
      },
    };
    const post = (headers: Record<string, string>, body: unknown = initialize) =>
      fetch(endpoint, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
          ...headers,
        },
        body: JSON.stringify(body),
      });
    assert.equal((await post({})).status, 401, 'no token');
    assert.equal((await post({ authorization: 'Bearer wrong' })).status, 401, 'wrong token');
    assert.equal(
      (await post({ authorization: `Bearer ${served.server.token}`, origin: 'http://evil.example' })).status,
      403,
      'foreign Origin',
    );
    const unknown = await post(
      { authorization: `Bearer ${served.server.token}`, 'mcp-session-id': 'not-a-session' },
      { jsonrpc: '2.0', id: 2, method: 'tools/list' },
    );
    assert.equal(unknown.status, 404, 'unknown session');
    const noSession = await post(
      { authorization: `Bearer ${served.server.token}` },
      { jsonrpc: '2.0', id: 3, method: 'tools/list' },
    );
    assert.equal(noSession.status, 400, 'no session and not an initialize request');
  } finally {
    await client.close();
    await served.stop();
  }
});

test('run --serve: the dashboard API follows the run while it executes and goes away when it ends', async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `name: watched
steps:
  - { id: wait, run: "while [ ! -f go ]; do sleep 0.05; done; echo went" }
`,
  );
  const served = await serve(workspace, ['run', 'plan.yaml', '--yes', '--serve']);
  try {
    const runs = await api<{ runs: Array<{ runId: string; status: string }> }>(served, 'GET', '/api/runs');
    const [run] = runs.body.runs;
    assert.ok(run);
    await waitForStatus(served, run.runId, 'running');
    writeFileSync(join(workspace, 'go'), '');
    const ended = await served.cli.result;
    assert.equal(ended.code, 0, ended.stderr);
    assert.equal(existsSync(join(workspace, '.ai-collab', 'server.json')), false);
  } finally {
    await served.stop();
  }
});
