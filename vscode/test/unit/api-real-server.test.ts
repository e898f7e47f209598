import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiClient, ApiError } from '../../src/api/api-client.js';
import type { ServerMessage } from '../../src/api/api-types.js';
import { StreamConnection } from '../../src/api/stream-connection.js';
import { RunsModel } from '../../src/runs/runs-model.js';
import { MemoryLogger } from '../support/memory-logger.js';
import { realServer, shellWorkspace } from '../support/real-server.js';

// The API client, the stream and the model against the real `ai-collab serve` (from source) on a temp
// workspace with a shell-only plan; the supervisor starts and stops it.

const plan = `name: shell-demo
steps:
  - { id: hello, agent: shell, run: "echo hello > hello.txt" }
  - { id: check, agent: shell, run: "test -f hello.txt", needs: [hello] }
`;

test('plan run end to end through the real server: POST /api/runs, live stream into the model, 422 problems, sign-in link', async (t) => {
  const workspace = shellWorkspace();
  const { supervisor } = realServer(workspace);
  t.after(() => supervisor.stop());
  const server = await supervisor.ready();
  const api = new ApiClient(server);
  assert.equal((await api.health()).ok, true);

  const model = new RunsModel();
  let settled: (() => void) | undefined;
  const done = new Promise<void>((resolve) => {
    settled = resolve;
  });
  let watched: string | undefined;
  const stream = new StreamConnection(
    { server: () => supervisor.ready(), logger: new MemoryLogger() },
    {
      message: (message: ServerMessage) => {
        const change = model.apply(message);
        for (const runId of change.resync) stream.resync(runId);
        if (watched && model.get(watched)?.state?.status === 'succeeded') settled?.();
      },
      state: () => undefined,
    },
  );
  t.after(() => stream.close());
  stream.start();

  const started = await api.runPlan(plan, 'plan.yaml');
  assert.match(started.runId, /\S/);
  watched = started.runId;
  stream.follow(started.runId, () => model.lastSeq(started.runId));
  await done;
  const state = model.get(started.runId)?.state;
  assert.deepEqual(
    state?.order.map((id) => state.steps[id]?.status),
    ['succeeded', 'succeeded'],
  );
  assert.ok((await api.listRuns()).some((run) => run.runId === started.runId));
  const planned = await api.planOf(started.runId);
  assert.match(planned.yaml, /echo hello/);
  // The server's forecast of the steps still to run comes with the plan (the approval view shows it): a
  // finished run has none left.
  assert.deepEqual(planned.forecast, { steps: [], usd: { low: 0, median: 0, high: 0 }, withoutHistory: 0 });

  const invalid = await api
    .runPlan('steps:\n  - { id: a, agent: shell, run: "true", needs: [missing] }\n', 'bad.yaml')
    .then(
      () => undefined,
      (error: unknown) => error,
    );
  assert.ok(invalid instanceof ApiError, String(invalid));
  assert.equal(invalid.status, 422);
  assert.ok(
    invalid.details.some((problem) => problem.includes('missing')),
    invalid.details.join('\n'),
  );

  const link = await api.loginLink();
  assert.ok(link.url.startsWith(`${server.url}/#login=`));
  assert.ok(!link.url.includes(server.token), 'the token never appears in a URL');

  const review = await api.review({ code: 'let x = 1;' }).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(review instanceof ApiError);
  assert.equal(review.status, 409);
  assert.equal(review.apiCode, 'NO_REVIEWER');
});

test('a wrong token is refused, and the error carries the server’s code', async (t) => {
  const workspace = shellWorkspace();
  const { supervisor } = realServer(workspace);
  t.after(() => supervisor.stop());
  const server = await supervisor.ready();
  const api = new ApiClient({ ...server, token: 'x'.repeat(64) });
  await assert.rejects(
    api.listRuns(),
    (error: unknown) =>
      error instanceof ApiError && error.status === 401 && error.apiCode === 'TOKEN_INVALID',
  );
});
