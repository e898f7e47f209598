import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { RemoteAttemptFact } from '../../../src/agents/agent.js';
import { WorkerPresence } from '../../../src/distributed/worker-presence.js';
import { livenessMs, type WorkerEntry } from '../../../src/distributed/worker-registry.js';
import { WorkerWait } from '../../../src/distributed/worker-wait.js';
import { FakeClock } from '../../support/fake-clock.js';

/** A registry whose one worker offering `shell` beats until told it died (or while it is back). */
function registry(clock: FakeClock) {
  let alive = true;
  let reads = 0;
  const entry = (): WorkerEntry => ({
    id: 'w1-id',
    name: 'w1',
    host: 'host-a',
    pid: 1,
    agents: ['shell'],
    unavailable: [],
    running: [],
    concurrency: 1,
    startedAt: 0,
    heartbeatAt: alive ? clock.now() : diedAt,
  });
  let diedAt = 0;
  const presence = new WorkerPresence({
    clock,
    list: async () => {
      reads += 1;
      return [entry()];
    },
  });
  return {
    presence,
    reads: () => reads,
    die() {
      alive = false;
      diedAt = clock.now();
    },
    comeBack() {
      alive = true;
    },
  };
}

function attempt(presence: WorkerPresence) {
  const facts: string[] = [];
  const warnings: string[] = [];
  const wait = new WorkerWait(presence, 'shell', {
    fact: (fact: RemoteAttemptFact) =>
      facts.push(fact.type === 'waiting' ? `waiting: ${fact.reason}` : fact.type),
    warn: (message) => warnings.push(message),
  });
  return { wait, facts, warnings };
}

test('a queued job whose only worker dies is marked waiting once the worker stops beating, and no longer when one is live again', async () => {
  const clock = new FakeClock();
  const cluster = registry(clock);
  const queued = attempt(cluster.presence);
  queued.wait.start();
  await clock.advance(0);
  assert.deepEqual(queued.facts, [], 'a live worker offers shell at submit');
  cluster.die();
  await clock.advance(livenessMs);
  assert.deepEqual(queued.facts, [], 'still within the liveness window');
  await clock.advance(1_000);
  assert.deepEqual(queued.facts, ['waiting: waiting for a worker that runs shell']);
  assert.deepEqual(queued.warnings, ['waiting for a worker that runs shell']);
  await clock.advance(5_000);
  assert.equal(queued.facts.length, 1, 'recorded once while it waits');
  cluster.comeBack();
  await clock.advance(1_000);
  assert.deepEqual(queued.facts.slice(1), ['waiting-ended']);
  queued.wait.end();
  assert.equal(clock.pendingTimers, 0, 'nothing watches the registry once no attempt is in flight');
});

test('a job taken by a worker that then dies (re-queued after the stall, nobody left) waits again; a new take ends it', async () => {
  const clock = new FakeClock();
  const cluster = registry(clock);
  const running = attempt(cluster.presence);
  running.wait.start();
  running.wait.taken();
  cluster.die();
  await clock.advance(livenessMs + 1_000);
  assert.deepEqual(running.facts, ['waiting: waiting for a worker that runs shell']);
  // A new worker takes the job before any read of the registry has seen it: the take ends the wait, and
  // a read begun before the take does not start it again.
  running.wait.taken();
  assert.deepEqual(running.facts.slice(1), ['waiting-ended']);
  cluster.comeBack();
  await clock.advance(3_000);
  assert.deepEqual(running.facts.slice(1), ['waiting-ended']);
  running.wait.end();
});

test('the registry is read at most once a second however many attempts watch it', async () => {
  const clock = new FakeClock();
  const cluster = registry(clock);
  const attempts = Array.from({ length: 50 }, () => attempt(cluster.presence));
  for (const each of attempts) each.wait.start();
  await clock.advance(0);
  assert.equal(cluster.reads(), 1);
  await clock.advance(10_000);
  assert.equal(cluster.reads(), 11);
  cluster.die();
  await clock.advance(livenessMs + 1_000);
  assert.ok(attempts.every((each) => each.facts.length === 1));
  for (const each of attempts) each.wait.end();
  assert.ok(
    attempts.every((each) => each.facts.at(-1) === 'waiting-ended'),
    'the end closes the wait',
  );
  const reads = cluster.reads();
  await clock.advance(10_000);
  assert.equal(cluster.reads(), reads, 'no reads once every attempt ended');
});
