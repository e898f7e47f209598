import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  attemptJobSchema,
  payloadProblem,
  queueNameOf,
  resultRefOf,
} from '../../../src/distributed/job-protocol.js';

const job = {
  protocol: 1,
  runId: '20261206-090808-25b77b',
  stepId: 'build',
  attempt: 2,
  attemptId: '3f1c2a4e-1111-4222-8333-444455556666',
  step: {
    id: 'build',
    label: 'build',
    agent: 'shell',
    run: 'make',
    needs: [],
    retries: 1,
    backoff: { initialMs: 1000, maxMs: 60000, factor: 2 },
  },
  startCommit: 'a'.repeat(40),
  git: { url: 'http://127.0.0.1:4000/runs/r/exchange.git', token: 'f'.repeat(64) },
};

test('an attempt job parses; one with an unknown field, another protocol or a short commit id is refused, naming the fields', () => {
  assert.equal(attemptJobSchema.parse(job).attemptId, job.attemptId);
  for (const [bad, field] of [
    [{ ...job, apiKey: 'sk-123' }, /apiKey|Unrecognized/],
    [{ ...job, protocol: 2 }, /protocol/],
    [{ ...job, startCommit: 'abc123' }, /startCommit: a full git object id/],
  ] as const) {
    const parsed = attemptJobSchema.safeParse(bad);
    assert.equal(parsed.success, false);
    if (!parsed.success) assert.match(payloadProblem(parsed.error), field);
  }
});

test('queue names hold no colon whatever the agent is called; each execution has its own result ref', () => {
  assert.equal(queueNameOf('acp:claude'), 'agent-acp%3Aclaude');
  assert.notEqual(resultRefOf('r', 'a', 'e1'), resultRefOf('r', 'a', 'e2'));
  assert.match(resultRefOf('r', 'a', 'e1'), /^refs\/ai-collab\/r\/attempts\/a\/e1$/);
});
