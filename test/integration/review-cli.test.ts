import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import Database from 'better-sqlite3';
import type { RunReport } from '../../src/cli/run-report.js';
import { cliEntry, fixturesDir, runCli, startCli, waitFor } from '../support/cli.js';
import { startModelServer } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { reviewerScript, reviewKeyName, type ScriptedVote } from './review-support.js';

// `ai-collab review` and the review preflight, through the real command line; only the models are scripted.

const tsxLoader = import.meta.resolve('tsx');
const fakeClaude = join(fixturesDir, 'agents', 'fake-claude.mjs');

/** No agent CLI on PATH and no model key: nothing can review unless a test configures it. */
const bareEnv = {
  PATH: '/usr/local/bin:/usr/bin:/bin',
  HF_TOKEN: '',
  OPENAI_API_KEY: '',
  OPENROUTER_API_KEY: '',
};

function judge(evidence: string): ScriptedVote {
  return evidence.includes('return a - b;')
    ? { vote: 'REJECT', confidence: 0.9, reason: 'add() subtracts instead of adding', quote: 'return a - b;' }
    : { vote: 'APPROVE', confidence: 0.85, reason: 'add() returns the sum', quote: 'return a + b;' };
}

function reviewWorkspace(serverUrl: string): string {
  const workspace = tempDir('review-cli-');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:
  alpha: { adapter: openai, baseUrl: "${serverUrl}/v1", model: model-alpha, apiKeyEnv: ${reviewKeyName} }
  beta: { adapter: openai, baseUrl: "${serverUrl}/v1", model: model-beta, apiKeyEnv: ${reviewKeyName} }
review:
  reviewers: [alpha, beta]
  swarmSize: 4
`,
  );
  writeFileSync(
    join(workspace, 'add.ts'),
    'export function add(a: number, b: number): number { return a + b; }\n',
  );
  return workspace;
}

/** The CLI with `input` on its stdin. */
function runCliWithStdin(
  args: string[],
  input: string,
  options: { cwd: string; env: Record<string, string> },
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const child = spawn(process.execPath, ['--import', tsxLoader, cliEntry, ...args], {
    cwd: options.cwd,
    env: { ...process.env, NO_COLOR: '1', AI_COLLAB_HOME: '', ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (chunk) => {
    stdout += chunk;
  });
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  child.stdin.end(input);
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stdout, stderr })));
}

test('ai-collab review: openai reviewers vote on a file; the same review again comes from the SQLite cache', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = reviewWorkspace(server.url);
  const env = { ...bareEnv, [reviewKeyName]: 'sk-scripted' };

  const first = await runCli(['review', 'add.ts'], { cwd: workspace, env });
  assert.equal(first.code, 0, first.stderr);
  assert.match(first.stderr, /Reviewing add\.ts \(code\) with 4 reviewer\(s\) from alpha, beta/);
  assert.match(first.stdout, /^APPROVED {2}add\.ts \(code\)$/m);
  assert.match(first.stdout, /score 1\.00 \(approval share of the confidence-weighted votes; 0\.6 needed\)/);
  assert.match(first.stdout, /votes: 3 approve, 0 reject, 0 abstain · 9 model call\(s\), stopped early/);
  assert.match(
    first.stdout,
    /approve {2}alpha#1 {2}confidence 0\.85\n {11}add\(\) returns the sum\n {11}quotes: "return a \+ b;"/,
  );
  assert.match(first.stdout, /approve {2}beta#1 {2}confidence 0\.85/);
  const calls = server.modelRequests().length;
  assert.equal(calls, 9, 'three reviewers settle a swarm of 4: 3 × the 3-call protocol');

  // A new process, the same review: answered from .ai-collab/state.db without a model request.
  const second = await runCli(['review', 'add.ts', '--json'], { cwd: workspace, env });
  assert.equal(second.code, 0, second.stderr);
  const result = JSON.parse(second.stdout) as {
    verdict: string;
    score: number;
    cached: boolean;
    calls: number;
    votes: Array<{ reviewer: string; vote: string; confidence: number; reason: string }>;
  };
  assert.equal(result.verdict, 'approved');
  assert.equal(result.cached, true);
  assert.equal(result.calls, 0);
  assert.equal(result.score, 1);
  assert.deepEqual(
    result.votes.map((vote) => `${vote.reviewer} ${vote.vote} ${vote.confidence} ${vote.reason}`).sort(),
    ['alpha#1', 'alpha#2', 'beta#1'].map((name) => `${name} approve 0.85 add() returns the sum`),
  );
  assert.equal(server.modelRequests().length, calls, 'no model request for the cached review');
});

test('ai-collab review -: a diff on stdin is reviewed as a change; rejected exits 1; bad input exits 2', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = reviewWorkspace(server.url);
  const env = { ...bareEnv, [reviewKeyName]: 'sk-scripted' };
  const diff = [
    'diff --git a/add.ts b/add.ts',
    '--- a/add.ts',
    '+++ b/add.ts',
    '@@ -1 +1 @@',
    '-export function add(a: number, b: number): number { return a + b; }',
    '+export function add(a: number, b: number): number { return a - b; }',
    '',
  ].join('\n');
  const rejected = await runCliWithStdin(['review', '-'], diff, { cwd: workspace, env });
  assert.equal(rejected.code, 1, rejected.stderr);
  assert.match(rejected.stdout, /^REJECTED {2}stdin \(diff\)$/m);
  assert.match(
    rejected.stdout,
    /reject {3}alpha#1 {2}confidence 0\.90\n {11}add\(\) subtracts instead of adding/,
  );
  const shown = server.modelRequests()[0]?.messages.find((message) => message.role === 'user')?.text ?? '';
  assert.match(shown, /=== CHANGES: unified diff from stdin ===/);

  const missing = await runCli(['review', 'nope.ts'], { cwd: workspace, env });
  assert.equal(missing.code, 2);
  assert.match(missing.stderr, /cannot read nope\.ts \(ENOENT\); give a file or - for stdin/);
  const empty = await runCliWithStdin(['review', '-'], '  \n', { cwd: workspace, env });
  assert.equal(empty.code, 2);
  assert.match(empty.stderr, /nothing to review: stdin is empty/);

  // Without the key, the configured reviewers cannot run: exit 2 with why and the fix.
  const keyless = await runCli(['review', 'add.ts'], { cwd: workspace, env: bareEnv });
  assert.equal(keyless.code, 2);
  assert.match(keyless.stderr, /no reviewer is usable here/);
  assert.match(keyless.stderr, /reviewer "alpha" cannot run: SCRIPTED_REVIEW_KEY is not set/);
  assert.match(keyless.stderr, /review\.reviewers/);
});

test('a plan that needs review is refused when no reviewer is usable; --no-review runs it, recorded in the run', async () => {
  const workspace = tempDir('review-refused-');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:\n  fake: { adapter: claude, command: ${fakeClaude}, env: { ANTHROPIC_API_KEY: sk-fake }, capabilities: [execute], pool: { size: 1, prewarm: 0 } }\n`,
  );
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - { id: one, agent: fake, action: write, target: one.txt, prompt: "FAKE:write one.txt first" }
  - { id: look, agent: fake, action: analyze, prompt: "FAKE:reply fine" }
  - { id: gen, run: "echo generated > gen.txt", review: true }
`,
  );
  const refused = await runCli(['run', 'plan.yaml', '--yes'], { cwd: workspace, env: bareEnv });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /the plan needs reviewers, and no reviewer is usable here/);
  assert.match(refused.stderr, /steps that change code and must be reviewed: one, gen\n/);
  assert.match(refused.stderr, /review\.reviewers.*--no-review/);
  assert.match(refused.stderr, /Nothing was run\./);
  assert.equal(existsSync(join(workspace, 'one.txt')), false);
  assert.equal(existsSync(join(workspace, 'gen.txt')), false);

  const ran = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], {
    cwd: workspace,
    env: bareEnv,
  });
  assert.equal(ran.code, 0, ran.stderr);
  const report = JSON.parse(ran.stdout) as RunReport;
  assert.deepEqual(
    report.steps.map((step) => step.status),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  assert.equal(readFileSync(join(workspace, 'one.txt'), 'utf8'), 'first');
  const db = new Database(join(workspace, '.ai-collab', 'state.db'), { readonly: true });
  const created = db.prepare("SELECT data FROM events WHERE type = 'run.created'").get() as { data: string };
  db.close();
  const { plan } = JSON.parse(created.data) as { plan: { steps: Array<{ id: string; review?: boolean }> } };
  assert.deepEqual(
    plan.steps.map((step) => [step.id, step.review]),
    [
      ['one', false],
      ['look', undefined],
      ['gen', false],
    ],
    'the run records that its changes were not reviewed',
  );
});

test('ai-collab mcp offers review_code when a reviewer is usable, answering in the front ends’ shape', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = reviewWorkspace(server.url);
  const client = new Client({ name: 'ai-collab-test', version: '1.0.0' });
  await client.connect(
    new StdioClientTransport({
      command: process.execPath,
      args: ['--import', tsxLoader, cliEntry, 'mcp'],
      cwd: workspace,
      env: { ...process.env, NO_COLOR: '1', ...bareEnv, [reviewKeyName]: 'sk-scripted' } as Record<
        string,
        string
      >,
      stderr: 'pipe',
    }),
  );
  try {
    const { tools } = await client.listTools();
    assert.ok(tools.some((tool) => tool.name === 'review_code'));
    const answer = await client.callTool({
      name: 'review_code',
      arguments: {
        code: 'export function add(a: number, b: number): number { return a - b; }',
        path: 'add.ts',
      },
    });
    const [first] = answer.content as Array<{ type: string; text: string }>;
    const result = JSON.parse(first?.text ?? '{}') as {
      verdict: string;
      score: number;
      cached: boolean;
      votes: unknown[];
    };
    assert.equal(result.verdict, 'rejected');
    assert.equal(result.score, 0);
    assert.equal(result.cached, false);
    assert.ok(result.votes.length >= 2);
  } finally {
    await client.close();
  }
});

test('resume refuses a run whose unfinished steps need review when no reviewer is usable; resume --no-review finishes it', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = reviewWorkspace(server.url);
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:
  alpha: { adapter: openai, baseUrl: "${server.url}/v1", model: model-alpha, apiKeyEnv: ${reviewKeyName} }
  fake: { adapter: claude, command: ${fakeClaude}, env: { ANTHROPIC_API_KEY: sk-fake }, capabilities: [execute], pool: { size: 1, prewarm: 0 } }
review:
  reviewers: [alpha]
`,
  );
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - { id: wait, run: "touch wait.started; if [ -f go ]; then echo go; else exec sleep 60; fi" }
  - { id: one, agent: fake, action: write, target: one.txt, prompt: "FAKE:write one.txt first", needs: [wait] }
`,
  );
  const withKey = { ...bareEnv, [reviewKeyName]: 'sk-scripted' };
  const cli = startCli(['run', 'plan.yaml', '--yes'], { cwd: workspace, env: withKey });
  await waitFor(() => existsSync(join(workspace, 'wait.started')), 'the first step to start');
  await waitFor(() => /step wait started|wait.*running/i.test(cli.stderrSoFar()), 'the start to be recorded');
  cli.child.kill('SIGKILL');
  await cli.result;
  writeFileSync(join(workspace, 'go'), '');

  const refused = await runCli(['resume'], { cwd: workspace, env: bareEnv });
  assert.equal(refused.code, 2, refused.stderr);
  assert.match(refused.stderr, /steps that change code and must be reviewed: one\n/);
  assert.match(refused.stderr, /SCRIPTED_REVIEW_KEY is not set/);
  assert.equal(existsSync(join(workspace, 'one.txt')), false);

  const resumed = await runCli(['resume', '--json', '--no-review'], { cwd: workspace, env: bareEnv });
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.equal((JSON.parse(resumed.stdout) as RunReport).status, 'succeeded');
  assert.equal(readFileSync(join(workspace, 'one.txt'), 'utf8'), 'first');
  assert.equal(server.modelRequests().length, 0, 'nothing was reviewed');
});

test('status shows each reviewed step’s verdict, score and votes, as text and --json', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = reviewWorkspace(server.url);
  const env = { ...bareEnv, [reviewKeyName]: 'sk-scripted' };
  writeFileSync(
    join(workspace, 'plan.yaml'),
    `steps:
  - { id: gen, run: "cat add.ts", review: true }
  - { id: plain, run: "true" }
`,
  );
  const ran = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace, env });
  assert.equal(ran.code, 0, ran.stderr);
  const { runId } = JSON.parse(ran.stdout) as RunReport;

  const json = await runCli(['status', runId, '--json'], { cwd: workspace, env });
  assert.equal(json.code, 0, json.stderr);
  const [gen, plain] = (JSON.parse(json.stdout) as RunReport).steps;
  assert.equal(gen?.review?.verdict, 'approved');
  assert.equal(gen?.review?.score, 1);
  const votes = gen?.review?.votes ?? [];
  assert.ok(votes.length >= 3, 'enough of the swarm of 4 voted to settle it');
  for (const vote of votes) {
    assert.match(vote.reviewer, /^(alpha|beta)#\d+$/);
    assert.equal(vote.vote, 'approve');
    assert.equal(vote.confidence, 0.85);
    assert.match(vote.reason, /add\(\) returns the sum/);
  }
  assert.equal(plain?.review, undefined, 'a step nobody reviewed has no review');

  const text = await runCli(['status', runId], { cwd: workspace, env });
  assert.equal(text.code, 0, text.stderr);
  assert.match(
    text.stdout,
    new RegExp(
      `^Reviews\n {2}gen {2}approved {2}score 1\\.00 {2}\\(${votes.length} approve, 0 reject, 0 abstain\\)$`,
      'm',
    ),
  );
  assert.match(text.stdout, /^ {4}approve {2}alpha#\d+ {2}confidence 0\.85 {2}add\(\) returns the sum/m);
  assert.doesNotMatch(text.stdout, /^ {2}plain /m);
});
