import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { ElicitRequestSchema, type ElicitResult } from '@modelcontextprotocol/sdk/types.js';
import { cliEntry, startCli, waitFor } from '../support/cli.js';
import { startModelServer, text } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

const tsxLoader = import.meta.resolve('tsx');

/** A person at an MCP client that can ask them (elicitation): what they answer, and what they were asked. */
interface Person {
  answer: ElicitResult;
  asked: string[];
}

async function connect(
  workspace: string,
  env: Record<string, string> = {},
  person?: Person,
): Promise<Client> {
  const client = new Client(
    { name: 'ai-collab-test', version: '1.0.0' },
    person ? { capabilities: { elicitation: { form: {} } } } : {},
  );
  if (person) {
    client.setRequestHandler(ElicitRequestSchema, (request) => {
      person.asked.push(request.params.message);
      return person.answer;
    });
  }
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', tsxLoader, cliEntry, 'mcp'],
      cwd: workspace,
      env: { ...process.env, NO_COLOR: '1', ...env } as Record<string, string>,
      stderr: 'pipe',
    }),
  );
  return client;
}

function textOf(result: Awaited<ReturnType<Client['callTool']>>): string {
  const [first] = result.content as Array<{ type: string; text: string }>;
  return first?.text ?? '';
}

test('the tool list is small: a handful of coarse tools under 2,000 tokens in all', async () => {
  // A usable reviewer, so the list is the full one (review_code is offered only when a review can be made).
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'agents:\n  rev: { adapter: openai, baseUrl: "http://127.0.0.1:9/v1", model: m, apiKeyEnv: REV_KEY }\nreview: { reviewers: [rev] }\n',
  );
  const client = await connect(workspace, { REV_KEY: 'sk-test-0123456789' });
  try {
    const { tools } = await client.listTools();
    assert.deepEqual(tools.map((tool) => tool.name).sort(), [
      'approve_plan',
      'cancel_run',
      'get_run',
      'list_runs',
      'plan_task',
      'reject_plan',
      'review_code',
      'run_plan',
    ]);
    const tokens = JSON.stringify(tools).length / 4;
    assert.ok(tokens < 2_000, `the tool list costs about ${Math.round(tokens)} tokens`);
  } finally {
    await client.close();
  }
});

const approves = (): Person => ({ answer: { action: 'accept', content: { approve: true } }, asked: [] });

test('run_plan returns a run id at once; the run waits for approve_plan, then runs; get_run reports it', async () => {
  const workspace = tempDir();
  const person = approves();
  const client = await connect(workspace, {}, person);
  try {
    const plan =
      'name: over-mcp\nsteps:\n  - { id: make, run: "echo made > made.txt" }\n  - { id: after, run: "cat made.txt", needs: [make] }\n';
    const started = JSON.parse(textOf(await client.callTool({ name: 'run_plan', arguments: { plan } }))) as {
      runId: string;
      status: string;
    };
    assert.equal(started.status, 'awaiting_approval');
    assert.equal(existsSync(join(workspace, 'made.txt')), false);
    const approved = await client.callTool({ name: 'approve_plan', arguments: { runId: started.runId } });
    assert.equal(approved.isError, undefined, textOf(approved));
    assert.equal(person.asked.length, 1, 'the person was asked');
    assert.match(person.asked[0] ?? '', new RegExp(`run ${started.runId}, 2 steps`));
    let status = '';
    for (let poll = 0; poll < 200 && status !== 'succeeded'; poll++) {
      const run = JSON.parse(
        textOf(await client.callTool({ name: 'get_run', arguments: { runId: started.runId } })),
      ) as { status: string };
      status = run.status;
    }
    assert.equal(status, 'succeeded');
    assert.equal(existsSync(join(workspace, 'made.txt')), true);
    const detail = JSON.parse(
      textOf(await client.callTool({ name: 'get_run', arguments: { runId: started.runId, details: true } })),
    ) as {
      detail: Array<{ id: string; status: string }>;
    };
    assert.deepEqual(
      detail.detail.map((step) => [step.id, step.status]),
      [
        ['make', 'succeeded'],
        ['after', 'succeeded'],
      ],
    );
    const output = await client.readResource({ uri: `ai-collab://runs/${started.runId}/steps/after/output` });
    assert.match(JSON.stringify(output.contents), /made/);
    const listed = JSON.parse(textOf(await client.callTool({ name: 'list_runs', arguments: {} }))) as Array<{
      runId: string;
    }>;
    assert.equal(listed[0]?.runId, started.runId);
  } finally {
    await client.close();
  }
});

async function runPlanOverMcp(client: Client, plan: string): Promise<string> {
  const started = JSON.parse(textOf(await client.callTool({ name: 'run_plan', arguments: { plan } }))) as {
    runId: string;
  };
  return started.runId;
}

async function statusOverMcp(client: Client, runId: string): Promise<string> {
  return (
    JSON.parse(textOf(await client.callTool({ name: 'get_run', arguments: { runId } }))) as { status: string }
  ).status;
}

const onePlan = 'name: gated\nsteps:\n  - { id: make, run: "touch made" }\n';

test('approve_plan asks the person: a decline, or a client that cannot ask, leaves the plan waiting', async () => {
  const workspace = tempDir();
  const person: Person = { answer: { action: 'decline' }, asked: [] };
  const asking = await connect(workspace, {}, person);
  try {
    const runId = await runPlanOverMcp(asking, onePlan);
    const declined = await asking.callTool({ name: 'approve_plan', arguments: { runId } });
    assert.equal(declined.isError, true);
    assert.match(textOf(declined), /the person did not approve/);
    assert.equal(person.asked.length, 1);
    person.answer = { action: 'accept', content: { approve: false } };
    assert.equal((await asking.callTool({ name: 'approve_plan', arguments: { runId } })).isError, true);
    assert.equal(await statusOverMcp(asking, runId), 'awaiting_approval');

    const agentOnly = await connect(workspace);
    try {
      const refused = await agentOnly.callTool({ name: 'approve_plan', arguments: { runId } });
      assert.equal(refused.isError, true);
      assert.match(textOf(refused), new RegExp(`ai-collab approve ${runId}`));
      assert.match(textOf(refused), /approval: \{ mcp: agent \}/);
    } finally {
      await agentOnly.close();
    }
    assert.equal(await statusOverMcp(asking, runId), 'awaiting_approval');
    assert.equal(existsSync(join(workspace, 'made')), false, 'nothing ran');
  } finally {
    await asking.close();
  }
});

test('approval.mcp: agent lets the agent approve; a run another process waits for runs there, not here', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'approval: { mcp: agent }\n');
  writeFileSync(join(workspace, 'plan.yaml'), onePlan);
  const waiting = startCli(['run', 'plan.yaml', '--json'], { cwd: workspace });
  const client = await connect(workspace);
  try {
    let runId = '';
    await waitFor(
      () => {
        const match = /Run (\S+) waits for approval/.exec(waiting.stderrSoFar());
        runId = match?.[1] ?? '';
        return runId !== '';
      },
      'the run process to wait for approval',
      60_000,
    );
    const approved = await client.callTool({ name: 'approve_plan', arguments: { runId } });
    assert.equal(approved.isError, undefined, textOf(approved));
    assert.match(textOf(approved), new RegExp(`"runsIn":"process ${waiting.child.pid}"`));
    const result = await waiting.result;
    assert.equal(result.code, 0, result.stderr);
    assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'succeeded');
    assert.equal(await statusOverMcp(client, runId), 'succeeded');
  } finally {
    await client.close();
  }
});

test('plan_task plans with the configured planner on the scripted model, reports progress, and waits for approve_plan', async () => {
  const planned = {
    name: 'over-mcp-planned',
    rationale: 'One shell step writes the file.',
    risks: [
      {
        severity: 'high',
        category: 'other',
        description: 'writes a file',
        mitigation: 'review',
        affectedSteps: ['write'],
      },
    ],
    confidence: {
      taskClarity: 0.9,
      contextSufficiency: 0.7,
      approachConfidence: 0.8,
      executionFeasibility: 0.9,
      overall: 0.8,
    },
    steps: [{ id: 'write', agent: 'shell', run: 'echo planned > planned.txt' }],
  };
  const model = await startModelServer({ script: [text(`\`\`\`json\n${JSON.stringify(planned)}\n\`\`\``)] });
  test.after(() => model.close());
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:\n  planner:\n    adapter: openai\n    baseUrl: ${model.url}/v1\n    model: scripted\n    apiKeyEnv: SCRIPTED_KEY\n`,
  );
  const client = await connect(workspace, { SCRIPTED_KEY: 'sk-scripted-0123456789abcdef' }, approves());
  try {
    const progress: string[] = [];
    const result = await client.callTool(
      { name: 'plan_task', arguments: { task: 'Write planned.txt', planner: 'planner' } },
      undefined,
      { onprogress: (update) => progress.push(update.message ?? String(update.progress)) },
    );
    assert.equal(result.isError, undefined, textOf(result));
    const plan = JSON.parse(textOf(result)) as {
      runId: string;
      status: string;
      confidence: { overall: number };
      risks: string[];
      steps: Array<{ id: string }>;
    };
    assert.ok(progress.length > 0, 'a progress notification while planning');
    assert.equal(plan.status, 'awaiting_approval');
    assert.equal(plan.confidence.overall, 0.8);
    assert.deepEqual(plan.risks, ['high: writes a file']);
    assert.deepEqual(
      plan.steps.map((step) => step.id),
      ['write'],
    );
    assert.match(JSON.stringify(model.requests[0]), /Write planned\.txt/);
    assert.equal(existsSync(join(workspace, 'planned.txt')), false, 'nothing runs before approval');
    await client.callTool({ name: 'approve_plan', arguments: { runId: plan.runId } });
    let status = '';
    for (let poll = 0; poll < 400 && status !== 'succeeded'; poll++) {
      status = (
        JSON.parse(textOf(await client.callTool({ name: 'get_run', arguments: { runId: plan.runId } }))) as {
          status: string;
        }
      ).status;
    }
    assert.equal(status, 'succeeded');
    assert.equal(existsSync(join(workspace, 'planned.txt')), true);
  } finally {
    await client.close();
  }
});

test('bad input is refused with the reason: an invalid plan, unknown fields, an unknown run', async () => {
  const client = await connect(tempDir());
  try {
    const invalid = await client.callTool({
      name: 'run_plan',
      arguments: { plan: 'steps:\n  - { id: a, run: x, needs: [b] }\n' },
    });
    assert.equal(invalid.isError, true);
    assert.match(textOf(invalid), /unknown step "b"/);
    const unknownField = await client.callTool({ name: 'get_run', arguments: { runId: 'x', extra: 1 } });
    assert.equal(unknownField.isError, true);
    const missing = await client.callTool({ name: 'get_run', arguments: { runId: 'no-such-run' } });
    assert.equal(missing.isError, true);
    assert.match(textOf(missing), /no run no-such-run/);
  } finally {
    await client.close();
  }
});

test('stdout carries only JSON-RPC messages, whatever the server logs', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'approval: { policy: never }\n');
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, 'mcp'], {
    cwd: workspace,
    env: { ...process.env, AI_COLLAB_LOG_LEVEL: 'debug' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  const send = (message: object): void => {
    child.stdin.write(`${JSON.stringify({ jsonrpc: '2.0', ...message })}\n`);
  };
  send({
    id: 1,
    method: 'initialize',
    params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 't', version: '1' } },
  });
  send({ method: 'notifications/initialized' });
  send({ id: 2, method: 'tools/list' });
  send({
    id: 3,
    method: 'tools/call',
    params: { name: 'run_plan', arguments: { plan: 'steps:\n  - { id: a, run: "echo noisy output" }\n' } },
  });
  send({ id: 4, method: 'tools/call', params: { name: 'get_run', arguments: { runId: 'missing' } } });
  const deadline = Date.now() + 30_000;
  while (!/"id":4/.test(stdout) && Date.now() < deadline)
    await new Promise((resolve) => setTimeout(resolve, 20));
  child.stdin.end();
  await new Promise((resolve) => child.once('close', resolve));
  const lines = stdout.split('\n').filter((line) => line !== '');
  assert.ok(lines.length >= 4);
  for (const line of lines) assert.equal((JSON.parse(line) as { jsonrpc: string }).jsonrpc, '2.0', line);
});
