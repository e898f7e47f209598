/**
 * The HTTP API over the engine: runs, state, plan, events since a seq, a step's attempts, output and diff;
 * approve (also with an edited plan), reject, pause, resume, cancel and retry; metrics.
 */
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { planOf } from '../support/test-engine.js';
import { TalkingAgent } from './server-agents.js';
import { callApi, startTestServer, type TestServer } from './server-harness.js';

let harness: TestServer;
let failOnce = true;

before(async () => {
  harness = await startTestServer({
    agents: [
      new TalkingAgent('timer', (stepId, attempt) => {
        if (stepId === 'flaky' && failOnce) return { durationMs: 5, fail: true };
        if (stepId === 'slow') return { durationMs: 600, say: ['working\n'] };
        if (stepId === 'chatty')
          return { durationMs: 20, say: ['line one\n', 'line two\n', `attempt ${attempt}\n`] };
        return { durationMs: 5 };
      }),
    ],
  });
});
after(() => harness.close());

const api = <T = Record<string, unknown>>(method: 'GET' | 'POST', path: string, body?: unknown) =>
  callApi<T>(harness.server, method, path, body);

async function waitFor(check: () => boolean | Promise<boolean>, what: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!(await check())) {
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

test('lists runs and reads a run, its plan and its events in pages', async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'chatty' }, { id: 'b', needs: ['chatty'] }], { name: 'listing' }),
    workspace: harness.stateDir,
    planFile: null,
  });
  const final = await harness.engine.startRun(created.runId).done;
  const runs = await api<{ runs: Array<{ runId: string; status: string }> }>('GET', '/api/runs');
  assert.equal(runs.body.runs.find((run) => run.runId === created.runId)?.status, 'succeeded');
  const run = await api<{ seq: number; state: { status: string } }>('GET', `/api/runs/${created.runId}`);
  assert.equal(run.body.seq, final.lastSeq);
  assert.equal(run.body.state.status, 'succeeded');
  const plan = await api<{ yaml: string; plan: { steps: unknown[] } }>(
    'GET',
    `/api/runs/${created.runId}/plan`,
  );
  assert.equal(plan.body.plan.steps.length, 2);
  assert.match(plan.body.yaml, /id: chatty/);
  const page = await api<{ events: Array<{ seq: number }>; more: boolean }>(
    'GET',
    `/api/runs/${created.runId}/events?after=2&limit=3`,
  );
  assert.deepEqual(
    page.body.events.map((event) => event.seq),
    [3, 4, 5],
  );
  assert.equal(page.body.more, true);
  const documented = await api<{ events: Array<{ seq: number }> }>(
    'GET',
    `/api/runs/${created.runId}/events?since=2&limit=3`,
  );
  assert.deepEqual(
    documented.body.events.map((event) => event.seq),
    [3, 4, 5],
    'the README documents ?since=',
  );
  assert.equal((await api('GET', `/api/runs/${created.runId}/events?since=x`)).status, 400);
  assert.equal((await api('GET', '/api/runs/nope')).status, 404);
  assert.equal((await api('GET', `/api/runs/${created.runId}/events?after=-1`)).status, 400);
  assert.equal((await api('GET', `/api/runs/${created.runId}/events?bogus=1`)).status, 400);
});

test("reads a step's attempts and its output in line-aligned ranges", async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'chatty' }]),
    workspace: harness.stateDir,
    planFile: null,
  });
  await harness.engine.startRun(created.runId).done;
  const step = await api<{ attempts: Array<{ attempt: number; outcome: string; output?: string }> }>(
    'GET',
    `/api/runs/${created.runId}/steps/chatty`,
  );
  assert.deepEqual(
    step.body.attempts.map((attempt) => [attempt.attempt, attempt.outcome]),
    [[1, 'succeeded']],
  );
  assert.equal(step.body.attempts[0]?.output, 'chatty done');
  const whole = await api<{ text: string; nextOffset: number; size: number }>(
    'GET',
    `/api/runs/${created.runId}/steps/chatty/output`,
  );
  assert.equal(whole.body.text, 'line one\nline two\nattempt 1\n');
  const part = await api<{ text: string; nextOffset: number }>(
    'GET',
    `/api/runs/${created.runId}/steps/chatty/output?offset=0&length=12`,
  );
  assert.equal(part.body.text, 'line one\n', 'cut after the last whole line');
  const rest = await api<{ text: string }>(
    'GET',
    `/api/runs/${created.runId}/steps/chatty/output?offset=${part.body.nextOffset}`,
  );
  assert.equal(rest.body.text, 'line two\nattempt 1\n');
  assert.equal((await api('GET', `/api/runs/${created.runId}/steps/chatty/output?attempt=7`)).status, 404);
  const diff = await api<{ available: boolean; reason: string }>(
    'GET',
    `/api/runs/${created.runId}/steps/chatty/diff`,
  );
  assert.equal(diff.body.available, false);
  assert.equal((await api('GET', `/api/runs/${created.runId}/steps/none`)).status, 404);
});

test('approves a plan waiting for approval; the run starts', async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: 'always ask' },
  });
  const handle = harness.engine.startRun(created.runId);
  const plan = await api<{ status: string; approvalReason: string }>(
    'GET',
    `/api/runs/${created.runId}/plan`,
  );
  assert.equal(plan.body.approvalReason, 'always ask');
  const decided = await api('POST', `/api/runs/${created.runId}/approve`, { reason: 'looks right' });
  assert.equal(decided.status, 200);
  const state = await handle.done;
  assert.equal(state.status, 'succeeded');
  assert.equal(state.approvedBy, 'dashboard');
  const again = await api<{ error: { code: string } }>('POST', `/api/runs/${created.runId}/approve`, {});
  assert.equal(again.status, 409);
});

test('approving an edited plan runs the edited plan; an invalid edit is refused with its problems', async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: 'edit me' },
  });
  const handle = harness.engine.startRun(created.runId);
  const invalid = await api<{ error: { code: string; problems: string[] } }>(
    'POST',
    `/api/runs/${created.runId}/approve`,
    {
      plan: 'name: edited\nsteps:\n  - id: x\n    agent: timer\n    prompt: go\n    needs: [nope]\n',
    },
  );
  assert.equal(invalid.status, 422);
  assert.equal(invalid.body.error.code, 'PLAN_INVALID');
  assert.match(invalid.body.error.problems.join('\n'), /unknown step "nope"/);
  const edited = await api('POST', `/api/runs/${created.runId}/approve`, {
    plan: 'name: edited\nsteps:\n  - id: x\n    agent: timer\n    prompt: go\n  - id: y\n    agent: timer\n    prompt: go\n    needs: [x]\n',
  });
  assert.equal(edited.status, 200);
  const state = await handle.done;
  assert.deepEqual(state.order, ['x', 'y']);
  assert.equal(state.status, 'succeeded');
});

test('a plan nobody is waiting on is run by the server when approved, and recorded when rejected', async () => {
  const approved = harness.engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: 'x' },
  });
  const answer = await api<{ started: boolean }>('POST', `/api/runs/${approved.runId}/approve`, {});
  assert.equal(answer.body.started, true);
  await waitFor(
    async () =>
      (await api<{ state: { status: string } }>('GET', `/api/runs/${approved.runId}`)).body.state.status ===
      'succeeded',
    'the approved run to finish',
  );
  const rejected = harness.engine.createRun({
    plan: planOf([{ id: 'a' }]),
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: 'x' },
  });
  assert.equal((await api('POST', `/api/runs/${rejected.runId}/reject`, { reason: 'not now' })).status, 200);
  await waitFor(async () => {
    const { state } = (
      await api<{ state: { status: string; rejected?: { reason: string } } }>(
        'GET',
        `/api/runs/${rejected.runId}`,
      )
    ).body;
    return state.status === 'cancelled' && state.rejected?.reason === 'not now';
  }, 'the rejection to be recorded');
});

test('pauses, resumes and cancels a run executing here; says where a run is otherwise', async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'slow' }, { id: 'after', needs: ['slow'] }, { id: 'last', needs: ['after'] }]),
    workspace: harness.stateDir,
    planFile: null,
  });
  const handle = harness.engine.startRun(created.runId);
  await waitFor(() => handle.state.status === 'running', 'the run to start');
  assert.equal((await api('POST', `/api/runs/${created.runId}/pause`)).status, 200);
  await waitFor(() => handle.state.status === 'paused', 'the pause');
  assert.equal((await api('POST', `/api/runs/${created.runId}/resume`)).status, 200);
  await waitFor(() => handle.state.status === 'running', 'the resume');
  assert.equal((await api('POST', `/api/runs/${created.runId}/cancel`)).status, 200);
  const state = await handle.done;
  assert.equal(state.status, 'cancelled');
  const notRunning = await api<{ error: { code: string } }>('POST', `/api/runs/${created.runId}/pause`);
  assert.equal(notRunning.status, 409);
  assert.equal(notRunning.body.error.code, 'RUN_NOT_ACTIVE');
});

test('retries a failed step of a finished run', async () => {
  failOnce = true;
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'flaky' }, { id: 'next', needs: ['flaky'] }]),
    workspace: harness.stateDir,
    planFile: null,
  });
  const first = await harness.engine.startRun(created.runId).done;
  assert.equal(first.status, 'failed');
  failOnce = false;
  const retried = await api<{ reopened: boolean }>(
    'POST',
    `/api/runs/${created.runId}/steps/flaky/retry`,
    {},
  );
  assert.equal(retried.status, 200);
  assert.equal(retried.body.reopened, true);
  await waitFor(
    async () =>
      (await api<{ state: { status: string } }>('GET', `/api/runs/${created.runId}`)).body.state.status ===
      'succeeded',
    'the retried run',
  );
  const notRetriable = await api('POST', `/api/runs/${created.runId}/steps/next/retry`, {});
  assert.equal(notRetriable.status, 409);
});

test('metrics: Prometheus text with the step, run, retry and stream metrics, and JSON for the dashboard', async () => {
  const response = await fetch(`${harness.server.url}/metrics`, {
    headers: { authorization: `Bearer ${harness.server.token}` },
  });
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type') ?? '', /text\/plain/);
  const text = await response.text();
  for (const name of [
    'ai_collab_step_duration_seconds_bucket',
    'ai_collab_steps_finished_total',
    'ai_collab_runs_finished_total',
    'ai_collab_step_retries_total',
    'ai_collab_parallel_efficiency',
    'ai_collab_plan_completion_ratio',
    'ai_collab_ws_connections',
    'ai_collab_ws_bytes_sent_total',
    'process_resident_memory_bytes',
  ]) {
    assert.match(text, new RegExp(`^(# TYPE )?${name}`, 'm'), name);
  }
  // Every run of this file finished before the scrape, most of them unwatched: all are counted, once.
  assert.match(text, /ai_collab_runs_finished_total\{status="succeeded"\} [4-9]/);
  assert.match(text, /ai_collab_steps_finished_total\{agent="timer",status="failed"\} 1\n/);
  const json = await api<{ metrics: Array<{ name: string }> }>('GET', '/api/metrics');
  assert.ok(json.body.metrics.some((metric) => metric.name === 'ai_collab_runs_finished_total'));
});

test('health answers with the version and pid; a new sign-in link can be made with the token', async () => {
  const health = await api<{ ok: boolean; pid: number }>('GET', '/api/health');
  assert.equal(health.body.ok, true);
  assert.equal(health.body.pid, process.pid);
  const link = await api<{ url: string }>('POST', '/api/login-codes', {});
  assert.match(link.body.url, new RegExp(`^${harness.server.url}/#login=[0-9a-f]{48}$`));
});

test('`ai-collab dashboard` gets a fresh sign-in link through server.json', async () => {
  const { requestDashboardLink } = await import('../../src/server/index.js');
  const link = await requestDashboardLink(harness.stateDir);
  assert.match(link.url, /#login=[0-9a-f]{48}$/);
  const code = link.url.split('#login=')[1];
  const exchanged = await fetch(`${harness.server.url}/api/session`, {
    method: 'POST',
    headers: { origin: harness.server.url, 'content-type': 'application/json' },
    body: JSON.stringify({ code }),
  });
  assert.equal(exchanged.status, 200);
  await assert.rejects(requestDashboardLink('/nonexistent/state'), /no dashboard server is running/);
});
