import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { candidateRef, runBranchName } from '../../src/workspace/ref-names.js';
import { agentCliBinaries, agentCliMissing, claudeTestEnvironment } from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer, text, toolCall } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import {
  type Cluster,
  openCluster,
  planFile,
  redisMissing,
  type StartedWorker,
} from './distributed-support.js';
import { fileOnBranch, git, gitRepo } from './workspace-support.js';

// Budgets and best-of-N in distributed mode: the real Claude Code CLI runs every step on a worker process
// over the real Redis, against the scripted model server; the coordinator has no claude at all.
const skip = agentCliMissing('claude') || (await redisMissing());

let server: ModelServer;
// Opened at the top: its clean-up (stopping the worker, removing the keys) belongs to the whole file, not to
// the hook that starts the worker.
const cluster: Cluster | undefined = skip ? undefined : openCluster();
let worker: StartedWorker;
/** Working directories claude reported to the model, one per step attempt. */
const directories: string[] = [];
/** Candidates told to write add.ts so far. */
let writes = 0;
const wrong = 'export const add = (a: number, b: number) => a - b;\n';
const right = 'export const add = (a: number, b: number) => a + b;\n';

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => {
      if (request.api !== 'anthropic-messages' || request.auxiliary) return text('ok');
      if (request.pendingToolResults.length > 0) return text('Done. DONE');
      const cwd = /(?:Primary working directory|Working directory): (\S+)/.exec(
        request.messages.map((message) => message.text).join('\n'),
      )?.[1];
      if (!cwd) return text('no working directory in the system prompt');
      directories.push(cwd);
      if (!request.lastUserText.includes('Write add.ts'))
        return text(`Looked at it. ${'All fine here. '.repeat(8)}DONE`);
      // A worker's checkout is named by its attempt, not its candidate: the first candidate to ask subtracts
      // (its check fails), the other adds.
      writes++;
      return toolCall('Write', { file_path: join(cwd, 'add.ts'), content: writes === 1 ? wrong : right });
    },
  });
  if (!cluster) return;
  worker = await cluster.startWorker('claude-box', {
    config: {
      agents: {
        claude: {
          command: agentCliBinaries.claude,
          model: 'claude-sonnet-4-5',
          env: claudeTestEnvironment(server.url, tempDir('ai-collab-claude-home-')),
          pool: { size: 2, prewarm: 0 },
        },
      },
    },
  });
});

after(async () => {
  await server?.close();
});

/** The coordinator's own claude does not exist: everything claude does happens on the worker. */
const noClaude = { agents: { claude: { command: '/nonexistent/claude' } } };

const reportJson = z.object({
  runId: z.string(),
  status: z.string(),
  budget: z.object({ usd: z.number().optional() }).optional(),
  spent: z.object({ usd: z.number() }).optional(),
  budgetReached: z.object({ waiting: z.number() }).optional(),
  steps: z.array(
    z.object({
      id: z.union([z.string(), z.number()]),
      status: z.string(),
      usage: z.object({ costUsd: z.number().optional() }).optional(),
    }),
  ),
});

function ranOnWorker(from: number): void {
  const seen = directories.slice(from);
  assert.ok(seen.length > 0, 'claude worked');
  for (const directory of seen)
    assert.ok(directory.startsWith(worker.directory), `claude worked in the worker's checkout: ${directory}`);
}

test('a run with a budget pauses at budget_reached while its steps run on a worker, and resume --budget goes on', {
  skip,
  timeout: 600_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: spend-on-a-worker
concurrency: 1
steps:
${['one', 'two', 'three']
  .map((id) => `  - { id: ${id}, agent: claude, action: analyze, prompt: "Look at ${id}" }`)
  .join('\n')}
`);
  const from = directories.length;
  // One step costs about $0.0006 (Claude Code's own figure, reported from the worker): a second would pass $0.001.
  assert.ok(cluster);
  const first = await cluster.coordinator(
    ['run', plan, '--yes', '--json', '--no-review', '--budget', '0.001'],
    repo,
    noClaude,
  );
  assert.equal(first.code, 130, `paused, resumable: ${first.stderr}`);
  const paused = reportJson.parse(JSON.parse(first.stdout));
  assert.equal(paused.status, 'paused');
  assert.equal(paused.budgetReached?.waiting, 2);
  assert.deepEqual(
    paused.steps.map((step) => step.status),
    ['succeeded', 'ready', 'ready'],
    'nothing failed, nothing started past the budget',
  );
  const cost = paused.steps[0]?.usage?.costUsd ?? 0;
  assert.ok(cost > 0 && cost < 0.001, `the worker's claude reported its cost: ${cost}`);
  assert.equal(paused.spent?.usd, cost);
  ranOnWorker(from);

  const resumed = await cluster.coordinator(
    ['resume', paused.runId, '--budget', '1', '--json'],
    repo,
    noClaude,
  );
  assert.equal(resumed.code, 0, resumed.stderr);
  const done = reportJson.parse(JSON.parse(resumed.stdout));
  assert.equal(done.status, 'succeeded');
  assert.deepEqual(done.budget, { usd: 1 });
  assert.equal(directories.length - from, 3, 'each step ran once');
  ranOnWorker(from);
});

test('a candidates: 2 step runs both candidates on the worker, the failing check loses, the best merges', {
  skip,
  timeout: 600_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: best-of-two-on-a-worker
steps:
  - id: impl
    agent: claude
    action: write
    target: add.ts
    prompt: "Write add.ts with add(a, b)."
    candidates: 2
    retries: 0
    check: "grep -q 'a + b' add.ts"
`);
  const from = directories.length;
  assert.ok(cluster);
  const result = await cluster.coordinator(['run', plan, '--yes', '--json', '--no-review'], repo, noClaude);
  assert.equal(result.code, 0, result.stderr);
  const report = reportJson
    .extend({
      steps: z.array(
        z.object({
          id: z.union([z.string(), z.number()]),
          status: z.string(),
          picked: z.string().optional(),
        }),
      ),
    })
    .parse(JSON.parse(result.stdout));
  const byId = new Map(report.steps.map((step) => [String(step.id), step]));
  const outcomes = ['impl#1', 'impl#2'].map((id) => byId.get(id)?.status);
  assert.deepEqual([...outcomes].sort(), ['failed', 'succeeded'], 'the one whose check failed lost');
  const winner = outcomes[0] === 'succeeded' ? 1 : 2;
  assert.equal(byId.get('impl')?.picked, `impl#${winner}`);
  assert.equal(fileOnBranch(repo, runBranchName(report.runId), 'add.ts'), right);
  // Both candidates ran on the worker, each in its own worktree.
  const candidates = directories.slice(from);
  assert.equal(candidates.length, 2, candidates.join(', '));
  assert.notEqual(candidates[0], candidates[1]);
  ranOnWorker(from);
  // The merged candidate's work is kept under its ref on the coordinator's repository.
  assert.equal(git(repo, 'show', `${candidateRef(report.runId, 'impl', winner)}:add.ts`), right);
});
