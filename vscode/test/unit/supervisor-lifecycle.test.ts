import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SupervisorState } from '../../src/supervisor/server-supervisor.js';
import { SupervisorWorld } from '../support/supervisor-fixture.js';

// The supervisor's sequencing on a fake clock and a fake spawner: reuse, spawn, stop.

test('reuses a healthy server named by server.json and never stops it', async () => {
  const world = new SupervisorWorld();
  const foreign = world.foreignServer();
  const server = await world.supervisor.ready();
  assert.deepEqual(server, foreign);
  assert.equal(world.spawner.children.length, 0);
  assert.deepEqual(world.supervisor.state, { kind: 'running', server: foreign, owned: false });
  await world.supervisor.stop();
  assert.equal(world.alive.has(foreign.pid), true, 'a reused server is left running');
  assert.equal(world.supervisor.state.kind, 'stopped');
});

test('spawns `<command> serve` in the workspace when no server runs, ready on its listening line and server.json', async () => {
  const world = new SupervisorWorld({ args: ['--no', 'ai-collab'], command: 'npx' });
  const server = await world.supervisor.ready();
  const child = world.spawner.last;
  assert.equal(child.request.command, 'npx');
  assert.deepEqual(child.request.args, ['--no', 'ai-collab', 'serve']);
  assert.equal(child.request.cwd, '/workspace');
  assert.equal(child.request.env.AI_COLLAB_CONFIG_JSON, '{}');
  assert.equal(server.pid, child.pid);
  assert.equal(world.supervisor.ownedPid, child.pid);
});

test('a stale server.json (its process is gone) or an unhealthy server is not reused', async () => {
  const world = new SupervisorWorld();
  world.foreignServer(77);
  world.alive.delete(77);
  await world.supervisor.ready();
  assert.equal(world.spawner.children.length, 1);

  const unhealthy = new SupervisorWorld();
  unhealthy.foreignServer(78);
  let probes = 0;
  unhealthy.healthy = false;
  unhealthy.spawner.onSpawn = (child) => {
    probes++;
    unhealthy.healthy = true;
    unhealthy.alive.add(child.pid);
    queueMicrotask(() => unhealthy.announce(child));
  };
  const server = await unhealthy.supervisor.ready();
  assert.equal(probes, 1);
  assert.notEqual(server.pid, 78);
});

test('stop: SIGTERM to the server it started, which exits gracefully', async () => {
  const world = new SupervisorWorld();
  await world.supervisor.ready();
  const child = world.spawner.last;
  await world.supervisor.stop();
  assert.deepEqual(child.signals, ['SIGTERM']);
  assert.equal(world.supervisor.state.kind, 'stopped');
  assert.equal(world.supervisor.ownedPid, undefined);
});

test('stop: SIGKILL once the grace period passes when the server ignores SIGTERM', async () => {
  const world = new SupervisorWorld({ stopGraceMs: 3_000 });
  await world.supervisor.ready();
  const child = world.spawner.last;
  child.honoursSigterm = false;
  const stopped = world.supervisor.stop();
  await world.clock.advance(2_999);
  assert.deepEqual(child.signals, ['SIGTERM']);
  await world.clock.advance(1);
  await stopped;
  assert.deepEqual(child.signals, ['SIGTERM', 'SIGKILL']);
  assert.ok(world.logger.messages('warn').some((line) => line.includes('did not stop in time')));
});

test('a server that never announces itself is killed after the start timeout and counted as a crash', async () => {
  const world = new SupervisorWorld({ startTimeoutMs: 5_000 });
  world.autoAnnounce = false;
  world.supervisor.start();
  await world.clock.advance(4_999);
  assert.equal(world.supervisor.state.kind, 'starting');
  await world.clock.advance(1);
  assert.deepEqual(world.spawner.children[0]?.signals, ['SIGTERM']);
  // Read through a call: the assertion above narrowed `world.supervisor.state` to 'starting'.
  const state = currentState(world);
  assert.equal(state.kind, 'backoff');
  assert.match(state.kind === 'backoff' ? state.reason : '', /did not start within 5000 ms/);
});

test('a command that cannot be spawned is reported as a start failure with the reason', async () => {
  const world = new SupervisorWorld();
  world.autoAnnounce = false;
  world.spawner.onSpawn = (child) =>
    queueMicrotask(() => child.exit({ code: null, signal: null, spawnError: 'spawn npx ENOENT' }));
  world.supervisor.start();
  await world.clock.advance(0);
  const state = world.supervisor.state;
  assert.equal(state.kind, 'backoff');
  assert.match(state.kind === 'backoff' ? state.reason : '', /could not be started: spawn npx ENOENT/);
});

test('a reused server that goes away is replaced by one the supervisor starts', async () => {
  const world = new SupervisorWorld({ healthIntervalMs: 1_000 });
  world.random = 0;
  const foreign = world.foreignServer();
  await world.supervisor.ready();
  world.alive.delete(foreign.pid);
  await world.clock.advance(1_000);
  await world.clock.advance(0);
  const state = world.supervisor.state;
  assert.equal(state.kind, 'running');
  assert.equal(state.kind === 'running' && state.owned, true);
  assert.equal(world.spawner.children.length, 1);
});

function currentState(world: SupervisorWorld): SupervisorState {
  return world.supervisor.state;
}
