import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { CodexAgent } from '../../src/agents/codex/codex-agent.js';
import { parkedLine } from '../../src/cli/output/choice-text.js';
import type { RunEvent } from '../../src/engine/events.js';
import { ProviderLimiters } from '../../src/limits/provider-limiter.js';
import { summarizeRun } from '../../src/mcp/run-summary.js';
import { expandCandidates } from '../../src/plan/expand-candidates.js';
import type { PlanDefinition } from '../../src/protocol/plan-types.js';
import { buildReviewers } from '../../src/review/build-reviewers.js';
import { MemoryReviewCache } from '../../src/review/review-cache.js';
import { resolveReviewSettings } from '../../src/review/review-settings.js';
import { createReviewStage } from '../../src/review/review-stage.js';
import { ReviewSwarm } from '../../src/review/review-swarm.js';
import { systemClock } from '../../src/support/clock.js';
import { candidateRef, runBranchName } from '../../src/workspace/ref-names.js';
import { workspaceStepHooks } from '../../src/workspace/workspace-step-hooks.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import {
  type ModelRequest,
  type Script,
  startModelServer,
  type Turn,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { claudeAgent, workingDirectory } from './claude-harness.js';
import { codexSpec, depsFor } from './codex-harness.js';
import { reviewEnvironment, reviewerScript, reviewerSpec } from './review-support.js';
import {
  agentStep,
  fileOnBranch,
  git,
  gitRepo,
  planOf,
  runPlan,
  workspaceEngine,
} from './workspace-support.js';

// Best-of-N and failover with the real Claude Code (and codex) CLIs against the scripted model server.
const skip = agentCliMissing('claude');

function candidateOf(cwd: string): number {
  return Number(/impl_(\d+)-/.exec(cwd)?.[1] ?? 0);
}

/** Dispatches by wire API: Anthropic requests are claude's, chat completions the reviewers'. */
function serverScript(claude: (request: ModelRequest) => Turn, reviewers?: Script): Script {
  return (request) => {
    if (request.api === 'anthropic-messages') return request.auxiliary ? text('ok') : claude(request);
    if (typeof reviewers === 'function') return reviewers(request);
    return text('no script');
  };
}

/** Runs a plan to its end, with every event it recorded. */
async function runRecorded(setup: ReturnType<typeof workspaceEngine>, repo: string, plan: PlanDefinition) {
  const created = setup.engine.createRun({ plan, workspace: repo, planFile: null });
  const handle = setup.engine.startRun(created.runId);
  const events: RunEvent[] = [];
  handle.subscribe((event) => events.push(event));
  const state = await handle.done;
  await setup.close();
  return { created, events, state };
}

function withCandidates(
  plan: PlanDefinition,
  request: { count?: number; agents?: string[]; pick?: 'first' },
) {
  const expanded = expandCandidates(plan.steps, new Map([['impl', { index: 0, ...request }]]));
  assert.deepEqual(expanded.problems, []);
  return { ...plan, steps: expanded.steps };
}

test('best of three claude candidates: the one the reviewers reject fails, the best passing one merges, the rest are kept', {
  skip,
  timeout: 300_000,
}, async () => {
  const wrong = 'export const add = (a: number, b: number) => a - b;\n';
  const right = 'export const add = (a: number, b: number) => a + b;\n';
  const server = await startModelServer({
    script: serverScript(
      (request) => {
        if (request.pendingToolResults.length > 0) return text('Wrote add.ts. DONE');
        const cwd = workingDirectory(request);
        if (!cwd) return text('no working directory');
        // Candidate 1 subtracts; the others add.
        return toolCall('Write', {
          file_path: join(cwd, 'add.ts'),
          content: candidateOf(cwd) === 1 ? wrong : right,
        });
      },
      reviewerScript((evidence) =>
        evidence.includes('a - b')
          ? {
              vote: 'REJECT',
              confidence: 0.9,
              reason: 'add subtracts',
              quote: '(a: number, b: number) => a - b',
            }
          : {
              vote: 'APPROVE',
              confidence: 0.9,
              reason: 'add adds',
              quote: '(a: number, b: number) => a + b',
            },
      ),
    ),
  });
  test.after(() => server.close());
  const repo = gitRepo({ 'README.md': 'project\n' });
  const settings = resolveReviewSettings({ reviewers: ['alpha', 'beta'] });
  const specs = new Map<string, AgentSpec>(
    ['alpha', 'beta'].map((name) => [name, reviewerSpec(name, `${server.url}/v1`)]),
  );
  const built = buildReviewers(
    settings.reviewers,
    { specs, agents: { get: () => undefined } },
    {
      clock: systemClock,
      environment: reviewEnvironment,
      limiters: new ProviderLimiters({ clock: systemClock }),
    },
    settings,
  );
  assert.deepEqual(built.problems, []);
  const swarm = new ReviewSwarm(built.reviewers, settings, {
    clock: systemClock,
    cache: new MemoryReviewCache(),
  });
  const setup = workspaceEngine(repo, {
    agents: [claudeAgent(server.url, repo, { pool: { size: 3 } })],
    wrap: (hooks) =>
      workspaceStepHooks(hooks, [
        createReviewStage({ swarm, changesOf: (context) => hooks.changesOf(context) }),
      ]),
  });
  const plan = withCandidates(
    planOf([agentStep('impl', 'claude', { action: 'write', prompt: 'Write add.ts with add(a, b).' })], 3),
    { count: 3 },
  );
  const { runId, state } = await runPlan(setup, repo, plan);
  await setup.close();
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  assert.equal(state.steps['impl#1']?.status, 'failed');
  assert.match(state.steps['impl#1']?.error?.message ?? '', /rejected by the reviewers/);
  const picked = state.steps.impl?.picked ?? '';
  assert.match(picked, /^impl#[23]$/);
  assert.equal(fileOnBranch(repo, runBranchName(runId), 'add.ts'), right);
  // Every passing candidate's work stays under its ref, the merged one and the other alike.
  for (const n of [2, 3]) {
    const kept = git(repo, 'rev-parse', candidateRef(runId, 'impl', n)).trim();
    assert.equal(kept, state.steps[`impl#${n}`]?.resultCommit);
    assert.equal(git(repo, 'show', `${kept}:add.ts`), right);
  }
  const ranking = state.steps.impl?.ranking ?? [];
  assert.deepEqual(
    ranking.map((entry) => [entry.passed, entry.score]),
    [
      [true, 1],
      [true, 1],
      [false, undefined],
    ],
  );
  // MCP get_run shows each candidate's outcome, score, cost and the ref its work is kept under.
  const overMcp = summarizeRun(state, false);
  assert.deepEqual(
    overMcp.candidates?.[0]?.candidates.map((candidate) => [
      candidate.id,
      candidate.outcome,
      candidate.score,
      candidate.ref,
      (candidate.costUsd ?? 0) > 0,
    ]),
    [1, 2, 3].map((n) => [
      `impl#${n}`,
      n === 1 ? 'failed' : 'succeeded',
      n === 1 ? undefined : 1,
      n === 1 ? undefined : candidateRef(runId, 'impl', n),
      true,
    ]),
  );
  // The candidates' worktrees are gone; only the user's checkout is left.
  assert.equal(git(repo, 'worktree', 'list', '--porcelain').match(/^worktree /gm)?.length, 1);
});

test('pick: first merges the first claude candidate that passes and stops the other one’s process', {
  skip,
  timeout: 300_000,
}, async () => {
  const server = await startModelServer({
    script: serverScript((request) => {
      if (request.pendingToolResults.length > 0) return text('DONE');
      const cwd = workingDirectory(request);
      if (!cwd) return text('no working directory');
      const slow = candidateOf(cwd) === 1;
      // The first candidate's model answers in ten minutes: it must be stopped, not waited for.
      return {
        ...toolCall('Write', { file_path: join(cwd, 'out.txt'), content: `candidate ${candidateOf(cwd)}\n` }),
        ...(slow && { delayMs: 600_000 }),
      };
    }),
  });
  test.after(() => server.close());
  const repo = gitRepo({ 'README.md': 'project\n' });
  const setup = workspaceEngine(repo, { agents: [claudeAgent(server.url, repo, { pool: { size: 3 } })] });
  const plan = withCandidates(
    planOf([agentStep('impl', 'claude', { action: 'write', prompt: 'Write out.txt.' })], 3),
    { count: 2, pick: 'first' },
  );
  const { created, events, state } = await runRecorded(setup, repo, plan);
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  assert.equal(state.steps.impl?.picked, 'impl#2');
  assert.equal(state.steps['impl#1']?.status, 'cancelled');
  assert.equal(fileOnBranch(repo, runBranchName(created.runId), 'out.txt'), 'candidate 2\n');
  const cancelled = events.find((event) => event.type === 'step.cancelled' && event.data.stepId === 'impl#1');
  assert.match(
    cancelled?.type === 'step.cancelled' ? cancelled.data.reason : '',
    /candidate impl#2 passed first/,
  );
  // No process of the stopped candidate is left.
  const started = events.flatMap((event) =>
    event.type === 'step.process-started' && event.data.stepId === 'impl#1' ? [event.data.process.pid] : [],
  );
  assert.ok(started.length > 0, 'the stopped candidate had started its claude process');
  for (const pid of started) assert.throws(() => process.kill(pid, 0), /ESRCH/, `process ${pid} is gone`);
});

test('a claude usage limit moves the step to codex, recorded with the reason, and the step succeeds there', {
  skip: skip || agentCliMissing('codex'),
  timeout: 300_000,
}, async () => {
  const reset = Math.floor(Date.now() / 1000) + 3 * 3600;
  const server = await startModelServer({
    script: (request) => {
      if (request.api === 'anthropic-messages')
        return request.auxiliary ? text('ok') : text(`Claude AI usage limit reached|${reset}`);
      return text('Summary by codex: the project has a README.');
    },
  });
  test.after(() => server.close());
  const repo = gitRepo({ 'README.md': 'project\n' });
  const codex = new CodexAgent(codexSpec(server, { mode: 'exec' }), depsFor(repo));
  const setup = workspaceEngine(repo, {
    agents: [claudeAgent(server.url, repo, { pool: { size: 1 } }), codex],
  });
  const plan = planOf([
    agentStep('summary', 'claude', {
      action: 'analyze',
      prompt: 'Summarise the project.',
      fallback: ['codex'],
    }),
  ]);
  const { events, state } = await runRecorded(setup, repo, plan);
  assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
  assert.equal(state.steps.summary?.agent, 'codex');
  assert.match(state.steps.summary?.output ?? '', /Summary by codex/);
  const moved = events.find((event) => event.type === 'step.failed-over');
  assert.ok(moved?.type === 'step.failed-over');
  assert.deepEqual([moved.data.from, moved.data.to, moved.data.cause], ['claude', 'codex', 'usage-limit']);
  assert.match(moved.data.reason, /usage limit reached/);
  assert.equal(moved.data.until, reset * 1000);
  const limit = state.agentLimits?.claude;
  assert.ok(limit);
  assert.match(parkedLine('claude', limit, Date.now()), /^claude: parked until \d\d:\d\d$/);
});
