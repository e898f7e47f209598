import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SupervisorWorld } from '../support/supervisor-fixture.js';

// Restart policy on a fake clock: backoff, crash loop, health checks, memory cap.

test('a crashed server is restarted after a capped, fully jittered exponential delay', async () => {
  const world = new SupervisorWorld({ backoff: { initialMs: 500, maxMs: 4_000 }, maxCrashes: 100 });
  world.random = 0.999;
  await world.supervisor.ready();
  const delays: number[] = [];
  for (let crash = 1; crash <= 6; crash++) {
    await world.crash();
    const state = world.supervisor.state;
    assert.equal(state.kind, 'backoff');
    if (state.kind !== 'backoff') return;
    assert.equal(state.attempt, crash);
    delays.push(state.delayMs);
    await world.clock.advance(state.delayMs - 1);
    assert.equal(world.spawner.children.length, crash, 'no restart before the delay');
    await world.clock.advance(1);
    assert.equal(world.supervisor.state.kind, 'running');
  }
  // floor(0.999 × min(4000, 500 × 2^(attempt-1)))
  assert.deepEqual(delays, [499, 999, 1_998, 3_996, 3_996, 3_996]);
});

test('full jitter: the delay is drawn uniformly below the ceiling (random 0 restarts at once)', async () => {
  const world = new SupervisorWorld();
  world.random = 0;
  await world.supervisor.ready();
  await world.crash();
  const state = world.supervisor.state;
  assert.equal(state.kind === 'backoff' && state.delayMs, 0);
  await world.clock.advance(0);
  assert.equal(world.supervisor.state.kind, 'running');
});

test('crash loop: the 5th crash within 2 minutes stops the restarts with the last stderr lines; Restart starts afresh', async () => {
  const world = new SupervisorWorld({ maxCrashes: 5, crashWindowMs: 120_000 });
  world.random = 0;
  await world.supervisor.ready();
  for (let crash = 1; crash <= 4; crash++) {
    await world.crash(3);
    await world.clock.advance(10_000);
    assert.equal(world.supervisor.state.kind, 'running');
  }
  await world.crash(3);
  const state = world.supervisor.state;
  assert.equal(state.kind, 'crash-loop');
  if (state.kind !== 'crash-loop') return;
  assert.match(state.message, /stopped 5 times within 2 minutes/);
  assert.match(state.message, /exited with code 3/);
  assert.deepEqual(state.stderrTail, ['fatal: crash number 5']);
  await world.clock.advance(600_000);
  assert.equal(world.spawner.children.length, 5, 'no restart once in a crash loop');
  await assert.rejects(world.supervisor.ready(), { code: 'SERVER_CRASH_LOOP' });
  await world.supervisor.restart();
  await world.clock.advance(0);
  assert.equal(world.supervisor.state.kind, 'running');
  assert.equal(world.spawner.children.length, 6);
});

test('crashes spread wider than the window never make a crash loop, and a stable server resets the backoff', async () => {
  const world = new SupervisorWorld({
    maxCrashes: 3,
    crashWindowMs: 60_000,
    healthIntervalMs: 10_000,
    stableAfterMs: 30_000,
    backoff: { initialMs: 1_000, maxMs: 60_000 },
  });
  world.random = 0.5;
  await world.supervisor.ready();
  for (let crash = 1; crash <= 6; crash++) {
    await world.crash();
    const state = world.supervisor.state;
    assert.equal(state.kind, 'backoff', `crash ${crash}`);
    // Up long enough to count as stable: the next crash starts at attempt 1 again.
    assert.equal(state.kind === 'backoff' && state.attempt, 1);
    await world.clock.advance(40_000);
    assert.equal(world.supervisor.state.kind, 'running');
  }
});

test('N consecutive failed health checks restart the server; a success in between resets the count', async () => {
  const world = new SupervisorWorld({ healthIntervalMs: 1_000, maxHealthFailures: 3 });
  world.random = 0;
  await world.supervisor.ready();
  const first = world.spawner.last;
  world.healthy = false;
  await world.clock.advance(2_000);
  world.healthy = true;
  await world.clock.advance(1_000);
  world.healthy = false;
  await world.clock.advance(2_000);
  assert.equal(world.spawner.children.length, 1, 'two failures, a success, two failures: no restart');
  await world.clock.advance(1_000);
  assert.deepEqual(first.signals, ['SIGTERM']);
  world.healthy = true;
  await world.clock.advance(0);
  assert.equal(world.spawner.children.length, 2);
  assert.equal(world.supervisor.state.kind, 'running');
  assert.ok(world.logger.messages('warn').some((line) => /failed 3 health checks in a row/.test(line)));
});

test('a health check that never answers fails after the timeout', async () => {
  const world = new SupervisorWorld({ healthIntervalMs: 1_000, healthTimeoutMs: 500, maxHealthFailures: 2 });
  world.random = 0;
  await world.supervisor.ready();
  world.hung = true;
  await world.clock.advance(1_500);
  assert.equal(world.spawner.children.length, 1);
  await world.clock.advance(1_500);
  assert.deepEqual(world.spawner.children[0]?.signals, ['SIGTERM']);
  world.hung = false;
  await world.clock.advance(0);
  assert.equal(world.spawner.children.length, 2);
});

test('memory cap: restart only when RSS stays above the cap for K consecutive samples', async () => {
  const world = new SupervisorWorld({
    healthIntervalMs: 1_000,
    maxRssBytes: 500 * 1024 * 1024,
    memorySamples: 3,
  });
  world.random = 0;
  await world.supervisor.ready();
  world.rssBytes = 600 * 1024 * 1024;
  await world.clock.advance(2_000);
  world.rssBytes = 400 * 1024 * 1024;
  await world.clock.advance(1_000);
  world.rssBytes = 600 * 1024 * 1024;
  await world.clock.advance(2_000);
  assert.equal(world.spawner.children.length, 1, 'a dip below the cap resets the count');
  await world.clock.advance(1_000);
  assert.deepEqual(world.spawner.children[0]?.signals, ['SIGTERM']);
  world.rssBytes = 100 * 1024 * 1024;
  await world.clock.advance(0);
  assert.equal(world.spawner.children.length, 2);
  assert.ok(
    world.logger.messages('warn').some((line) => /600 MiB for 3 checks in a row \(cap 500 MiB\)/.test(line)),
  );
});

test('the memory of a reused server is not policed (it is not ours to restart)', async () => {
  const world = new SupervisorWorld({ healthIntervalMs: 1_000, maxRssBytes: 1, memorySamples: 1 });
  world.foreignServer();
  await world.supervisor.ready();
  await world.clock.advance(10_000);
  assert.equal(world.spawner.children.length, 0);
  assert.equal(world.supervisor.state.kind, 'running');
});

test('stop during a backoff cancels the pending restart', async () => {
  const world = new SupervisorWorld({ backoff: { initialMs: 5_000, maxMs: 5_000 } });
  world.random = 0.5;
  await world.supervisor.ready();
  await world.crash();
  await world.supervisor.stop();
  await world.clock.advance(60_000);
  assert.equal(world.spawner.children.length, 1);
  assert.equal(world.supervisor.state.kind, 'stopped');
});
