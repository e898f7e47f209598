import assert from 'node:assert/strict';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { isProcessAlive } from '../../src/supervisor/process-probes.js';
import { realSupervisor, waitForExit, waitForState } from '../support/real-supervisor.js';

// The supervisor against real child processes (test/fixtures/fake-server.mjs): pipes, exits, signals.

test('starts a real server, reads its 0600 server.json, then stops it cleanly with SIGTERM', async () => {
  const { supervisor, workspace } = realSupervisor({});
  const server = await supervisor.ready();
  const file = join(workspace, '.ai-collab', 'server.json');
  assert.equal(statSync(file).mode & 0o777, 0o600);
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  assert.equal(isProcessAlive(server.pid), true);
  await supervisor.stop();
  await waitForExit(server.pid);
  assert.equal(existsSync(file), false, 'a graceful stop removes server.json');
});

test('restarts a server that crashes, with backoff, until one stays up', async () => {
  const { supervisor, states, starts } = realSupervisor({ crashStarts: 2 }, { maxCrashes: 5 });
  supervisor.start();
  await waitForState(supervisor, (state) => state.kind === 'running' && starts().length === 3);
  const backoffs = states.filter((state) => state.kind === 'backoff');
  assert.equal(backoffs.length, 2);
  assert.deepEqual(
    backoffs.map((state) => (state.kind === 'backoff' ? state.attempt : 0)),
    [1, 2],
  );
  for (const state of backoffs) {
    if (state.kind !== 'backoff') continue;
    assert.match(state.reason, /exited with code 3/);
    // Full jitter below the capped ceiling: attempt 1 ≤ 50 ms, attempt 2 ≤ 100 ms.
    assert.ok(state.delayMs >= 0 && state.delayMs < 50 * 2 ** (state.attempt - 1));
  }
  await supervisor.stop();
});

test('crash loop: a server that always crashes is given up on with its last stderr lines', async () => {
  const { supervisor, starts } = realSupervisor(
    { crashStarts: 100 },
    { maxCrashes: 3, crashWindowMs: 60_000 },
  );
  supervisor.start();
  const state = await waitForState(supervisor, (candidate) => candidate.kind === 'crash-loop');
  assert.equal(state.kind, 'crash-loop');
  if (state.kind !== 'crash-loop') return;
  assert.match(state.message, /stopped 3 times within 1 minutes/);
  assert.deepEqual(state.stderrTail, ['fake server: crashing on start 3']);
  assert.equal(starts().length, 3);
  await assert.rejects(supervisor.ready(), { code: 'SERVER_CRASH_LOOP' });
});

test('memory cap: a server holding more than the cap for K samples is restarted', async () => {
  const { supervisor, starts, logger } = realSupervisor(
    { growStarts: 1, growMb: 160 },
    { maxRssBytes: 120 * 1024 * 1024, memorySamples: 3 },
  );
  const first = await supervisor.ready();
  await waitForState(supervisor, (state) => state.kind === 'running' && state.server.pid !== first.pid);
  await waitForExit(first.pid);
  assert.equal(starts().length, 2);
  assert.ok(logger.messages('warn').some((line) => /MiB for 3 checks in a row \(cap 120 MiB\)/.test(line)));
  await supervisor.stop();
});

test('a server that stops answering its health check is replaced', async () => {
  const { supervisor, logger } = realSupervisor({ hangStarts: 1 });
  const first = await supervisor.ready().catch(() => undefined);
  // The hung first server may already be replaced by the time ready() resolves; either way a healthy one follows.
  const state = await waitForState(
    supervisor,
    (candidate) => candidate.kind === 'running' && candidate.server.pid !== first?.pid,
  );
  if (first) await waitForExit(first.pid);
  assert.equal(state.kind, 'running');
  assert.ok(logger.messages('warn').some((line) => /failed 2 health checks in a row/.test(line)));
  await supervisor.stop();
});

test('stop kills a server that ignores SIGTERM once the grace period has passed', async () => {
  const { supervisor } = realSupervisor({ ignoreSigterm: true }, { stopGraceMs: 300 });
  const server = await supervisor.ready();
  const started = Date.now();
  await supervisor.stop();
  await waitForExit(server.pid);
  assert.ok(Date.now() - started >= 250, 'it waited for the grace period before SIGKILL');
});

test('a second supervisor reuses the running server and leaves it running when it stops', async () => {
  const owner = realSupervisor({});
  const server = await owner.supervisor.ready();
  const second = realSupervisor(
    {},
    { stateDir: join(owner.workspace, '.ai-collab'), workspace: owner.workspace },
  );
  const reused = await second.supervisor.ready();
  assert.equal(reused.pid, server.pid);
  assert.equal(second.supervisor.state.kind === 'running' && second.supervisor.state.owned, false);
  await second.supervisor.stop();
  assert.equal(isProcessAlive(server.pid), true, 'the reused server keeps running');
  assert.equal(owner.starts().length, 1);
  await owner.supervisor.stop();
  await waitForExit(server.pid);
});
