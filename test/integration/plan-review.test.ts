import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunReport } from '../../src/cli/run-report.js';
import { agentCliBinaries, agentCliMissing, testApiKey } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import {
  type ModelRequest,
  type ModelServer,
  startModelServer,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { evidenceOf, protocolStep, reviewKeyName } from './review-support.js';

// Issue 4 end to end: `ai-collab plan` with the real claude CLI as planner and executor, openai-compatible
// reviewers, all against one scripted model server. The plan is approved (--yes), its two writing steps
// run in parallel in worktrees, the swarm reviews each before it merges, rejects beta's first draft (the
// step is retried with the reviewers' reasons), and the files land on the run branch.
const skip = agentCliMissing('claude');

let server: ModelServer;
let workspace = '';

const plan = {
  name: 'two-files',
  rationale: 'Two independent files, then a check.',
  risks: [],
  confidence: {
    taskClarity: 0.9,
    contextSufficiency: 0.9,
    approachConfidence: 0.9,
    executionFeasibility: 0.9,
    overall: 0.9,
  },
  steps: [
    { id: 'alpha', agent: 'claude', action: 'write', target: 'alpha.txt', prompt: 'CREATE-FILE alpha.txt' },
    { id: 'beta', agent: 'claude', action: 'write', target: 'beta.txt', prompt: 'CREATE-FILE beta.txt' },
    { id: 'check', agent: 'shell', run: 'cat alpha.txt beta.txt', needs: ['alpha', 'beta'] },
  ],
};

const feedbackMarker = 'Reviewers rejected your previous attempt';
const draftReason = 'beta.txt is an unfinished draft with a TODO, not the file the task asks for';

/** claude's side: the planner's answer, then a Write of each file (beta's first try is a draft). */
function claudeTurn(request: ModelRequest) {
  const whole = JSON.stringify(request);
  if (whole.includes('You are the planner')) return text(JSON.stringify(plan));
  if (request.pendingToolResults.length > 0) return text('Done. DONE-MARKER');
  const name =
    /CREATE-FILE ([\w.-]+)/.exec(request.lastUserText)?.[1] ?? /CREATE-FILE ([\w.-]+)/.exec(whole)?.[1];
  if (!name) return text('ok');
  const retried = request.lastUserText.includes(feedbackMarker) || whole.includes(feedbackMarker);
  const content = name === 'beta.txt' && !retried ? 'beta.txt draft TODO\n' : `${name} made by claude\n`;
  const cwd = /Primary working directory: ([^\s"\\]+)/.exec(whole)?.[1] ?? workspace;
  return toolCall('Write', { file_path: join(cwd, name), content });
}

/** The reviewers' side: the seed's three calls; the vote quotes the diff it judges. */
function reviewerTurn(request: ModelRequest) {
  const step = protocolStep(request);
  if (step === 'generate') return text('Review: I read the diff.');
  if (step === 'correct') return text('Corrected review: the quotes are checked.');
  const evidence = evidenceOf(request);
  const vote = evidence.includes('+beta.txt draft TODO')
    ? { vote: 'REJECT', confidence: 0.9, reason: draftReason, evidence: ['beta.txt draft TODO'] }
    : {
        vote: 'APPROVE',
        confidence: 0.9,
        reason: 'the file has the content the task asks for',
        evidence: [/^\+(\S+ made by claude)$/m.exec(evidence)?.[1] ?? 'nothing quoted'],
      };
  return text(JSON.stringify(vote));
}

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => (request.api === 'openai-chat' ? reviewerTurn(request) : claudeTurn(request)),
  });
});

after(async () => {
  await server?.close();
});

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

test('ai-collab plan: claude plans and executes in parallel, openai reviewers reject a draft once, the retry is approved and lands', {
  skip,
}, async () => {
  workspace = tempDir('plan-review-');
  const home = tempDir('ai-collab-claude-home-');
  git(workspace, 'init', '-q', '-b', 'main');
  git(workspace, 'config', 'user.email', 'dev@example.com');
  git(workspace, 'config', 'user.name', 'Dev');
  writeFileSync(join(workspace, 'README.md'), '# demo\n');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:
  claude:
    command: ${agentCliBinaries.claude}
    model: claude-sonnet-4-5
    env: { ANTHROPIC_BASE_URL: "${server.url}", ANTHROPIC_API_KEY: ${testApiKey}, HOME: ${home}, DISABLE_AUTOUPDATER: "1" }
    pool: { size: 2, prewarm: 0 }
  alpha-model: { adapter: openai, baseUrl: "${server.url}/v1", model: model-alpha, apiKeyEnv: ${reviewKeyName} }
  beta-model: { adapter: openai, baseUrl: "${server.url}/v1", model: model-beta, apiKeyEnv: ${reviewKeyName} }
review:
  reviewers: [alpha-model, beta-model]
`,
  );
  git(workspace, 'add', '.');
  git(workspace, 'commit', '-qm', 'start');

  const result = await runCli(
    ['plan', 'Create alpha.txt and beta.txt', '--planner', 'claude', '--yes', '--json'],
    {
      cwd: workspace,
      env: { [reviewKeyName]: 'sk-scripted-review-key' },
    },
  );
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Planned by claude: 3 steps/);
  const report = JSON.parse(result.stdout) as RunReport;
  const byId = Object.fromEntries(report.steps.map((step) => [step.id, step]));
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.status]),
    [
      ['alpha', 'succeeded'],
      ['beta', 'succeeded'],
      ['check', 'succeeded'],
    ],
  );
  assert.equal(byId.alpha?.attempts, 1);
  assert.equal(byId.beta?.attempts, 2, 'the rejected draft was tried again');
  // The files are on the run branch, reviewed; the user's checkout is untouched.
  const runBranch = git(workspace, 'branch', '--list', 'ai-collab/*/run')
    .replace(/^[*+ ]+/, '')
    .trim();
  assert.match(runBranch, /^ai-collab\/\S+\/run$/);
  assert.equal(git(workspace, 'show', `${runBranch}:alpha.txt`), 'alpha.txt made by claude\n');
  assert.equal(git(workspace, 'show', `${runBranch}:beta.txt`), 'beta.txt made by claude\n');
  assert.equal(git(workspace, 'ls-files', 'alpha.txt').trim(), '');

  // Every vote and verdict is an event: beta's first attempt rejected, every final attempt approved.
  const db = new Database(join(workspace, '.ai-collab', 'state.db'), { readonly: true });
  const rows = db
    .prepare(
      "SELECT type, at, data FROM events WHERE type IN ('step.started', 'step.stage-started', 'step.review-vote', 'step.stage-passed') ORDER BY seq",
    )
    .all() as Array<{ type: string; at: number; data: string }>;
  db.close();
  const events = rows.map((row) => ({
    type: row.type,
    at: row.at,
    ...(JSON.parse(row.data) as {
      stepId: string;
      attempt: number;
      vote?: string;
      reason?: string;
      stage?: string;
      detail?: Record<string, string>;
    }),
  }));
  const votes = (stepId: string, attempt: number) =>
    events
      .filter(
        (event) => event.type === 'step.review-vote' && event.stepId === stepId && event.attempt === attempt,
      )
      .map((event) => event.vote);
  assert.ok(
    votes('beta', 1).length > 0 && votes('beta', 1).every((vote) => vote === 'reject'),
    `${votes('beta', 1)}`,
  );
  assert.ok(votes('beta', 2).length > 0 && votes('beta', 2).every((vote) => vote === 'approve'));
  assert.ok(votes('alpha', 1).length > 0 && votes('alpha', 1).every((vote) => vote === 'approve'));
  // Parallel: both first attempts were running before either reached its review.
  const firstAt = (type: string, stepId: string) =>
    events.find((event) => event.type === type && event.stepId === stepId && event.attempt === 1)?.at ??
    Infinity;
  assert.ok(
    Math.max(firstAt('step.started', 'alpha'), firstAt('step.started', 'beta')) <
      Math.min(firstAt('step.stage-started', 'alpha'), firstAt('step.stage-started', 'beta')),
    'alpha and beta ran in parallel',
  );
  const verdicts = events
    .filter((event) => event.type === 'step.stage-passed' && event.stage === 'review')
    .map((event) => `${event.stepId}@${event.attempt}:${event.detail?.verdict}`)
    .sort();
  assert.deepEqual(verdicts, ['alpha@1:approved', 'beta@2:approved']);

  // The retry carried the reviewers' reasons to claude; the reviewers were shown the real diff.
  const retry = server
    .modelRequests()
    .find(
      (request) => request.api === 'anthropic-messages' && JSON.stringify(request).includes(feedbackMarker),
    );
  assert.ok(retry, "claude's retry prompt has the reviewers' reasons");
  assert.ok(JSON.stringify(retry).includes(draftReason));
  const reviewRequests = server.modelRequests().filter((request) => request.api === 'openai-chat');
  assert.deepEqual(
    new Set(reviewRequests.map((request) => request.model)),
    new Set(['model-alpha', 'model-beta']),
  );
  assert.ok(reviewRequests.some((request) => evidenceOf(request).includes('+alpha.txt made by claude')));
});
