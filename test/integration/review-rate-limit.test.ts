import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { AgentSpec } from '../../src/agents/agent-spec.js';
import { completeChat } from '../../src/agents/openai/complete-chat.js';
import { ProviderLimiters, type ProviderLimits } from '../../src/limits/provider-limiter.js';
import { buildReviewers } from '../../src/review/build-reviewers.js';
import { contentEvidence } from '../../src/review/review-content.js';
import { resolveReviewSettings } from '../../src/review/review-settings.js';
import { ReviewSwarm } from '../../src/review/review-swarm.js';
import { systemClock } from '../../src/support/clock.js';
import { type ModelServer, startModelServer, text } from '../support/model-server/index.js';
import { reviewEnvironment, reviewerScript, reviewerSpec } from './review-support.js';

const approve = () => ({
  vote: 'APPROVE' as const,
  confidence: 0.9,
  reason: 'returns the sum',
  quote: 'return a + b;',
});

async function serve(rateLimit: { requestsPerMinute: number; burst: number }): Promise<ModelServer> {
  const server = await startModelServer({ script: reviewerScript(approve), rateLimit });
  test.after(() => server.close());
  return server;
}

function swarmOn(server: ModelServer, limits: ProviderLimits, swarmSize: number, rateLimitRetries = 5) {
  const settings = resolveReviewSettings({
    reviewers: ['alpha'],
    swarmSize,
    earlyStop: false,
    rateLimitRetries,
    limits: { default: limits },
  });
  const specs = new Map<string, AgentSpec>([['alpha', reviewerSpec('alpha', `${server.url}/v1`)]]);
  const limiters = new ProviderLimiters({ clock: systemClock });
  const { reviewers } = buildReviewers(
    ['alpha'],
    { specs, agents: { get: () => undefined } },
    { clock: systemClock, environment: reviewEnvironment, limiters },
    settings,
  );
  return { swarm: new ReviewSwarm(reviewers, settings, { clock: systemClock }), limiters };
}

function review(swarm: ReviewSwarm, index: number) {
  const { evidence } = contentEvidence({
    content: `--- a/add.ts\n+++ b/add.ts\n@@ -1 +1 @@\n-  return 0; // ${index}\n+  return a + b;\n`,
    source: `change-${index}.patch`,
  });
  return swarm.review({
    evidence,
    runId: 'run',
    stepId: `step-${index}`,
    attempt: 1,
    cwd: '/tmp',
    signal: new AbortController().signal,
  });
}

test('the scripted server enforces a request limit: 429 with retry-after, and the script is not consumed', async () => {
  const server = await startModelServer({
    script: [text('one'), text('two'), text('three')],
    rateLimit: { requestsPerMinute: 600, burst: 2 },
  });
  test.after(() => server.close());
  const spec = reviewerSpec('alpha', `${server.url}/v1`);
  const ask = () =>
    completeChat(
      spec,
      { clock: systemClock, environment: reviewEnvironment },
      {
        messages: [{ role: 'user', content: 'hi' }],
        signal: new AbortController().signal,
      },
    );
  const answers = await Promise.all([ask(), ask(), ask()]);
  const limited = answers.filter((answer) => !answer.ok);
  assert.equal(limited.length, 1);
  const failure = limited[0]?.ok === false ? limited[0].failure : undefined;
  assert.equal(failure?.code, 'RATE_LIMITED');
  const refused = server.requests.find((request) => request.answer?.status === 429);
  const wait = refused?.answer?.retryAfterMs ?? 0;
  // Free again no sooner than the server's retry-after, counted from when it refused the call.
  assert.ok(failure?.resetAt !== undefined && refused && failure.resetAt >= refused.receivedAt + wait);
  assert.ok(wait > 0 && wait <= 100, `one request at 10 a second is free again within 100 ms (${wait})`);
  assert.equal(server.rateLimited, 1);
  assert.equal(server.remainingTurns, 1, 'the refused call did not use a turn');
});

test('a limiter that knows the provider’s limit gets no 429 and keeps close to the rate', async () => {
  const server = await serve({ requestsPerMinute: 600, burst: 3 });
  const { swarm, limiters } = swarmOn(server, { requestsPerMinute: 600, burst: 3, maxConcurrency: 8 }, 3);
  const started = Date.now();
  const outcomes = await Promise.all([0, 1, 2, 3].map((index) => review(swarm, index)));
  const elapsed = Date.now() - started;
  assert.ok(outcomes.every((outcome) => outcome.verdict === 'approved' && outcome.tally.abstentions === 0));
  assert.equal(server.rateLimited, 0);
  const calls = server.modelRequests().length;
  assert.equal(calls, 4 * 3 * 3);
  // 36 calls: a burst of 2 (one less than the provider allows), then 34 at 95 % of 10 a second, so at least
  // 34 × 105 ms = 3.58 s. A lower bound proves the limiter made calls wait; load can only lengthen it. How
  // close to the rate it keeps is measured in virtual time (test/unit/limits/provider-limiter.test.ts).
  assert.ok(elapsed >= 3_400, `took ${elapsed} ms`);
  assert.equal(limiters.all()[0]?.stats().rateLimited, 0);
});

test('no 429 storm when the limit is unknown: after each 429 nobody calls before its retry-after', async () => {
  const server = await serve({ requestsPerMinute: 120, burst: 2 });
  // Without a known rate the limiter learns only from 429s, so calls may meet several: allow them all.
  const { swarm, limiters } = swarmOn(server, { maxConcurrency: 6 }, 2, 20);
  const outcomes = await Promise.all([0, 1].map((index) => review(swarm, index)));
  assert.ok(
    outcomes.every((outcome) => outcome.verdict === 'approved' && outcome.tally.abstentions === 0),
    'every 429 was waited out and retried: nobody abstained',
  );
  const requests = server.requests.filter((request) => request.answer !== undefined);
  const refused = requests.filter((request) => request.answer?.status === 429);
  assert.ok(refused.length > 0, 'the provider did refuse some calls');
  assert.equal(limiters.all()[0]?.stats().rateLimited, refused.length);
  // Requests already on the wire when the 429 went out may still arrive; none may be sent after it.
  const inFlightMs = 60;
  for (const refusal of refused) {
    const until = refusal.receivedAt + (refusal.answer?.retryAfterMs ?? 0) - 5;
    const early = requests.filter(
      (request) => request.receivedAt > refusal.receivedAt + inFlightMs && request.receivedAt < until,
    );
    assert.deepEqual(
      early.map((request) => request.seq),
      [],
      `requests sent during the pause after #${refusal.seq}`,
    );
  }
  assert.ok((limiters.all()[0]?.stats().concurrencyCap ?? 6) < 6, 'the 429s cut the concurrency');
});
