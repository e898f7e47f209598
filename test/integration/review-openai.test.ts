import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type Agent, type AgentResult, type AgentTask, promptOf } from '../../src/agents/agent.js';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import type { ReviewVoteData } from '../../src/engine/events.js';
import type { StepHooks } from '../../src/engine/step-hooks.js';
import { ProviderLimiters } from '../../src/limits/provider-limiter.js';
import { buildReviewers, providerKey } from '../../src/review/build-reviewers.js';
import { MemoryReviewCache } from '../../src/review/review-cache.js';
import { reviewContent } from '../../src/review/review-content.js';
import { resolveReviewSettings } from '../../src/review/review-settings.js';
import { createReviewStage } from '../../src/review/review-stage.js';
import { ReviewSwarm } from '../../src/review/review-swarm.js';
import { systemClock } from '../../src/support/clock.js';
import { FakeClock, pump } from '../support/fake-clock.js';
import { startModelServer } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { createTestEngine, planOf } from '../support/test-engine.js';
import {
  protocolStep,
  reviewEnvironment,
  reviewerScript,
  reviewerSpec,
  type ScriptedVote,
  temperatureOf,
} from './review-support.js';

const original = 'export function add(a: number, b: number): number { return 0; }';

/** Writes add.ts: wrong at first, right once the reviewers' reasons are in its prompt. */
class CodingAgent implements Agent {
  readonly name = 'coder';
  readonly prompts: string[] = [];

  async run(task: AgentTask): Promise<AgentResult> {
    const prompt = promptOf(task);
    this.prompts.push(prompt);
    const body = prompt.includes('subtracts') ? 'return a + b;' : 'return a - b;';
    writeFileSync(
      join(task.workspace, 'add.ts'),
      `export function add(a: number, b: number): number { ${body} }`,
    );
    return { ok: true, output: 'Implemented add; all tests pass.', filesChanged: ['add.ts'] };
  }
}

function judge(evidence: string): ScriptedVote {
  return evidence.includes('+export function add(a: number, b: number): number { return a - b; }')
    ? { vote: 'REJECT', confidence: 0.9, reason: 'add() subtracts instead of adding', quote: 'return a - b;' }
    : { vote: 'APPROVE', confidence: 0.9, reason: 'add() returns the sum', quote: 'return a + b;' };
}

async function reviewersOn(serverUrl: string, settingsInput = {}) {
  const settings = resolveReviewSettings({ reviewers: ['alpha', 'beta'], ...settingsInput });
  const specs = new Map<string, AgentSpec>(
    ['alpha', 'beta'].map((name) => [name, reviewerSpec(name, `${serverUrl}/v1`)]),
  );
  const limiters = new ProviderLimiters({ clock: systemClock });
  const built = buildReviewers(
    settings.reviewers,
    { specs, agents: { get: () => undefined } },
    { clock: systemClock, environment: reviewEnvironment, limiters },
    settings,
  );
  assert.deepEqual(built.problems, []);
  return { settings, reviewers: built.reviewers, limiters, specs };
}

test('end to end: openai reviewers reject a wrong diff, the step is retried with their reasons, then approved', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const workspace = tempDir('review-e2e');
  writeFileSync(join(workspace, 'add.ts'), original);
  const { settings, reviewers, limiters, specs } = await reviewersOn(server.url);
  const swarm = new ReviewSwarm(reviewers, settings, { clock: systemClock, cache: new MemoryReviewCache() });
  const hooks: StepHooks = {
    stages: [
      createReviewStage({
        swarm,
        changesOf: async (context) => {
          const now = readFileSync(join(context.cwd, 'add.ts'), 'utf8');
          const patch = `diff --git a/add.ts b/add.ts\n--- a/add.ts\n+++ b/add.ts\n@@ -1 +1 @@\n-${original}\n+${now}\n`;
          return { patch, files: [{ path: 'add.ts' }] };
        },
      }),
    ],
  };
  const clock = new FakeClock();
  const agent = new CodingAgent();
  const { engine, store } = createTestEngine({ clock, agents: [agent], hooks });
  const run = engine.createRun({
    plan: planOf([
      {
        id: 'add',
        agent: 'coder',
        action: 'edit',
        target: 'add.ts',
        prompt: 'Make add() return the sum of a and b.',
        retries: 2,
        backoff: { initialMs: 100, maxMs: 100, factor: 1 },
      },
    ]),
    workspace,
    planFile: null,
  });
  const state = await pump(clock, engine.startRun(run.runId).done);

  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.add?.attempts, 2);
  assert.match(readFileSync(join(workspace, 'add.ts'), 'utf8'), /return a \+ b;/);
  assert.doesNotMatch(agent.prompts[0] ?? '', /Reviewers rejected/);
  assert.match(agent.prompts[1] ?? '', /Reviewers rejected your previous attempt at this step/);
  assert.match(
    agent.prompts[1] ?? '',
    /- alpha#1 \(confidence 0.90\), beta#1 \(confidence 0.90\), alpha#2 \(confidence 0.90\): add\(\) subtracts instead of adding \(about "return a - b;"\)\n/,
  );
  assert.equal(state.steps.add?.stageDetail?.review?.verdict, 'approved');
  assert.deepEqual(
    state.steps.add?.votes?.map((vote) => vote.vote),
    ['approve', 'approve', 'approve', 'approve'],
    'the votes of the approved attempt',
  );

  // The log holds every vote of both attempts, the rejections included.
  const votes = [...store.readEvents(run.runId)].flatMap((event) =>
    event.type === 'step.review-vote' ? [event.data as ReviewVoteData & { attempt: number }] : [],
  );
  assert.deepEqual(
    votes.map((vote) => `${vote.attempt} ${vote.vote}`),
    ['1 reject', '1 reject', '1 reject', '2 approve', '2 approve', '2 approve', '2 approve'],
  );
  assert.match(votes[0]?.reason ?? '', /add\(\) subtracts instead of adding \[evidence: "return a - b;"\]/);

  // Mixed reviewers, the seed's protocol and temperatures, every call through one limiter.
  const calls = server.modelRequests();
  assert.equal(calls.length, 7 * 3);
  assert.deepEqual(new Set(calls.map((call) => call.model)), new Set(['model-alpha', 'model-beta']));
  const temperatures = calls.map((call) => `${protocolStep(call)}@${temperatureOf(call)}`);
  assert.deepEqual(new Set(temperatures), new Set(['generate@0.8', 'correct@0.1', 'vote@0']));
  const key = providerKey(specs.get('alpha') as AgentSpec);
  assert.equal(limiters.all().length, 1);
  assert.equal(limiters.get(key, {}).stats().requests, 21);
});

test('ai-collab review: a second identical review is answered from the cache without a model call', async () => {
  const server = await startModelServer({ script: reviewerScript(judge) });
  test.after(() => server.close());
  const { settings, reviewers } = await reviewersOn(server.url);
  const swarm = new ReviewSwarm(reviewers, settings, { clock: systemClock, cache: new MemoryReviewCache() });
  const content = `--- a/add.ts\n+++ b/add.ts\n@@ -1 +1 @@\n-${original}\n+export function add(a: number, b: number): number { return a + b; }\n`;
  const request = { content, source: 'fix.patch', cwd: '/tmp', signal: new AbortController().signal };
  const first = await reviewContent(swarm, request);
  assert.equal(first.kind, 'diff');
  assert.equal(first.verdict, 'approved');
  assert.equal(first.votes.length, 4);
  const callsAfterFirst = server.modelRequests().length;
  assert.equal(callsAfterFirst, 12);
  const second = await reviewContent(swarm, request);
  assert.equal(second.cached, true);
  assert.equal(second.verdict, 'approved');
  assert.deepEqual(second.votes, first.votes);
  assert.equal(server.modelRequests().length, callsAfterFirst, 'no model call');
});
