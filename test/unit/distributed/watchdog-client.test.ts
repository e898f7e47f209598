import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { PassThrough } from 'node:stream';
import { test } from 'node:test';
import {
  startWatchdog,
  WatchdogStartError,
  watchdogAttempts,
  watchdogReadyTimeoutMs,
} from '../../../src/distributed/worker/watchdog-client.js';
import { FakeClock, settle } from '../../support/fake-clock.js';

/** A watchdog process that says `ready` only when told, records what it is sent and how it was killed. */
class FakeWatchdog extends EventEmitter {
  readonly stdin = new PassThrough();
  readonly stdout = new PassThrough();
  readonly stderr = new PassThrough();
  readonly received: string[] = [];
  killedWith: NodeJS.Signals | undefined;

  constructor(readonly pid: number) {
    super();
    this.stdin.setEncoding('utf8');
    this.stdin.on('data', (chunk: string) => this.received.push(...chunk.split('\n').filter(Boolean)));
  }

  sayReady(): void {
    this.stdout.write('ready\n');
  }

  crash(complaint: string): void {
    this.stderr.write(complaint);
    this.emit('close', 1, null);
  }

  kill(signal: NodeJS.Signals): boolean {
    this.killedWith = signal;
    this.emit('close', null, signal);
    return true;
  }

  unref(): void {}
}

function spawner() {
  const started: FakeWatchdog[] = [];
  return {
    started,
    spawn: () => {
      const child = new FakeWatchdog(100 + started.length);
      started.push(child);
      return child;
    },
  };
}

test('a watchdog silent past the bound is killed and another started; the worker gets the one that said ready', async () => {
  const clock = new FakeClock();
  const { started, spawn } = spawner();
  const reported: string[] = [];
  let resolved = false;
  const starting = startWatchdog({ clock, spawn, report: (line) => reported.push(line) }).finally(() => {
    resolved = true;
  });
  await clock.advance(watchdogReadyTimeoutMs - 1);
  assert.equal(resolved, false, 'no watchdog ready yet: the worker waits');
  assert.equal(started.length, 1);
  await clock.advance(1);
  assert.equal(started[0]?.killedWith, 'SIGKILL', 'the silent watchdog is killed');
  assert.equal(started.length, 2, 'and another one started');
  assert.match(reported.join('\n'), /did not say it was ready within 10000 ms; starting another/);
  started[1]?.sayReady();
  const watchdog = await starting;
  assert.equal(watchdog.pid, 101);
  assert.equal(started[1]?.killedWith, undefined);
  assert.equal(clock.pendingTimers, 0, 'no timer left behind');
  watchdog.add({ pid: 7, pgid: 7, startTime: '42', bootId: 'b' });
  watchdog.remove({ pid: 7, startTime: '42' });
  await settle();
  assert.deepEqual(
    started[1]?.received.map((line) => JSON.parse(line)),
    [
      { op: 'add', root: { pid: 7, pgid: 7, startTime: '42', bootId: 'b' } },
      { op: 'remove', pid: 7, startTime: '42' },
    ],
  );
  assert.deepEqual(started[0]?.received, [], 'nothing goes to the killed one');
});

test('a watchdog that crashes while it loads is replaced at once, its complaint said', async () => {
  const clock = new FakeClock();
  const { started, spawn } = spawner();
  const reported: string[] = [];
  const starting = startWatchdog({ clock, spawn, report: (line) => reported.push(line) });
  await settle();
  started[0]?.crash('Error: Cannot find module process-watchdog.js\n    at somewhere\n');
  await settle();
  assert.equal(started.length, 2, 'no wait for the bound');
  assert.match(reported[0] ?? '', /exited \(code 1\) before it was ready: Error: Cannot find module/);
  started[1]?.sayReady();
  assert.equal((await starting).pid, 101);
});

test('no watchdog ready after every try: the worker does not start, with a typed error naming each failure', async () => {
  const clock = new FakeClock();
  const { started, spawn } = spawner();
  const starting = startWatchdog({ clock, spawn });
  const failed = assert.rejects(starting, (error: unknown) => {
    assert.ok(error instanceof WatchdogStartError);
    assert.equal(error.code, 'INTERNAL');
    assert.equal(error.reasons.length, watchdogAttempts);
    assert.match(error.message, /process watchdog did not start \(3 tries: did not say it was ready within/);
    return true;
  });
  await clock.advance(watchdogReadyTimeoutMs * watchdogAttempts);
  await failed;
  assert.equal(started.length, watchdogAttempts);
  for (const child of started) assert.equal(child.killedWith, 'SIGKILL');
});

test('a watchdog that dies while the worker serves is replaced and told every tree still watched', async () => {
  const clock = new FakeClock();
  const { started, spawn } = spawner();
  const reported: string[] = [];
  const starting = startWatchdog({ clock, spawn, report: (line) => reported.push(line) });
  await settle();
  started[0]?.sayReady();
  const watchdog = await starting;
  watchdog.add({ pid: 7, pgid: 7, startTime: '42', bootId: 'b' });
  watchdog.add({ pid: 8, pgid: 8, startTime: '43', bootId: 'b' });
  watchdog.remove({ pid: 7, startTime: '42' });
  started[0]?.kill('SIGKILL');
  await settle();
  assert.equal(started.length, 2, 'another watchdog started');
  assert.match(reported.join('\n'), /process watchdog exited \(SIGKILL\); starting another/);
  started[1]?.sayReady();
  await settle();
  assert.equal(watchdog.pid, 101, 'the worker now talks to the new one');
  watchdog.add({ pid: 9, pgid: 9, startTime: '44', bootId: 'b' });
  await settle();
  assert.deepEqual(
    started[1]?.received.map((line) => JSON.parse(line)),
    [
      { op: 'add', root: { pid: 8, pgid: 8, startTime: '43', bootId: 'b' } },
      { op: 'add', root: { pid: 9, pgid: 9, startTime: '44', bootId: 'b' } },
    ],
    'the tree still running is watched again; the removed one is not',
  );
  watchdog.close();
  started[1]?.kill('SIGTERM');
  await settle();
  assert.equal(started.length, 2, 'a watchdog closed by the worker is not replaced');
});
