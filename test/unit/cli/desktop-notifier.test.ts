import assert from 'node:assert/strict';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { Notifier } from '../../../src/cli/notify/notifier.js';
import { desktopChannel } from '../../../src/cli/notify/notify-channels.js';
import { systemClock } from '../../../src/support/clock.js';
import type { Logger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { tempDir } from '../../support/temp-dir.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

// The desktop notifier through a real child process: a fake `notify-send`, first on PATH in a bin directory
// of its own, appends its argument vector (one JSON line per call) to a file, and exits as told.

interface FakeNotifySend {
  path: string;
  /** Each call's arguments, in order. */
  calls(): string[][];
}

function fakeNotifySend(exitCode: number): FakeNotifySend {
  const bin = tempDir('ai-collab-fake-bin-');
  const record = join(bin, 'calls.jsonl');
  const script = `#!${process.execPath}
require('fs').appendFileSync(${JSON.stringify(record)}, JSON.stringify(process.argv.slice(2)) + '\\n');
if (${exitCode} !== 0) process.stderr.write('GDBus.Error: no notification daemon\\n');
process.exit(${exitCode});
`;
  const path = join(bin, 'notify-send');
  writeFileSync(path, script);
  chmodSync(path, 0o755);
  return {
    path: bin,
    calls: () =>
      existsSync(record)
        ? readFileSync(record, 'utf8')
            .trim()
            .split('\n')
            .map((line) => JSON.parse(line) as string[])
        : [],
  };
}

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log, info: log, warn: log, error: log };
}

function desktopFor(fake: FakeNotifySend) {
  const channel = desktopChannel({ PATH: `${fake.path}:/usr/bin:/bin` }, 'linux');
  assert.ok(!('unavailable' in channel), 'the fake notify-send is found on PATH');
  return channel;
}

/** Lets I/O and promise callbacks run until `condition` holds: waits for the condition, not for time. */
async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setImmediate(resolve));
}

test('the desktop is told, through notify-send, when a plan waits for approval and when the run ends', async () => {
  const fake = fakeNotifySend(0);
  const clock = new FakeClock();
  const notifier = new Notifier({
    channels: [desktopFor(fake)],
    clock,
    logger: recordingLogger(),
    random: () => 0.5,
  });
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent], observers: [notifier.onEvent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }], { name: 'desk' }),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'the plan changes code' },
  });
  const handle = engine.startRun(run.runId);
  await notifier.idle();
  assert.deepEqual(fake.calls(), [
    [
      '--app-name=ai-collab',
      '--',
      'ai-collab',
      `ai-collab: run ${run.runId} (desk) waits for your approval (the plan changes code): ai-collab approve ${run.runId}`,
    ],
  ]);
  engine.decide(run.runId, { decision: 'approved', by: 'terminal' });
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded');
  await notifier.idle();
  assert.deepEqual(fake.calls()[1], [
    '--app-name=ai-collab',
    '--',
    'ai-collab',
    `ai-collab: run ${run.runId} (desk) succeeded: 1/1 steps succeeded`,
  ]);
  assert.equal(fake.calls().length, 2);
});

test('a failing notify-send is logged, retried with backoff on the clock, and never stops the run', async () => {
  const fake = fakeNotifySend(1);
  // The notifier's own clock: the run finishing does not move it, so its retries are seen one by one.
  const notifyClock = new FakeClock();
  const logger = recordingLogger();
  const notifier = new Notifier({
    channels: [desktopFor(fake)],
    clock: notifyClock,
    logger,
    random: () => 1,
    retries: 2,
    backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
  });
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent], observers: [notifier.onEvent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }, { id: 'b', needs: ['a'] }]),
    workspace: '/w',
    planFile: null,
  });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded', 'the run ends whatever its notifier does');
  for (const [tries, delay] of [
    [1, 1_000],
    [2, 2_000],
  ] as const) {
    await until(() => notifyClock.pendingTimers === 1);
    assert.equal(fake.calls().length, tries);
    assert.deepEqual(notifyClock.pendingDelays(), [delay], 'the wait doubles');
    await notifyClock.advance(delay);
  }
  await notifier.idle();
  assert.equal(fake.calls().length, 3, 'the first try and two retries');
  const retried = logger.lines.filter((line) => line.includes('trying again'));
  assert.equal(retried.length, 2);
  assert.match(
    retried[0] ?? '',
    /desktop notify-send.*exited with code 1: GDBus\.Error: no notification daemon/,
  );
  assert.equal(logger.lines.filter((line) => line.includes('giving up')).length, 1);
  // Later notifications still go out: one failure does not disable the channel.
  notifier.notify({ kind: 'run-finished', runId: 'r', runName: 'n', text: 'again', at: systemClock.now() });
  await until(() => fake.calls().length === 4 && notifyClock.pendingTimers === 1);
  // Closing gives up on the retry still waiting.
  const closing = notifier.close(0);
  await notifyClock.advance(0);
  await closing;
  await notifier.idle();
});
