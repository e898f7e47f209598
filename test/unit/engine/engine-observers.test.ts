import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Notification } from '../../../src/cli/notify/notification.js';
import { Notifier } from '../../../src/cli/notify/notifier.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('the notifier is told, from committed events, that a run waits for approval and that it ended', async () => {
  const clock = new FakeClock();
  const sent: Notification[] = [];
  const notifier = new Notifier({
    channels: [{ name: 'recording', send: async (notification) => void sent.push(notification) }],
    clock,
    logger: silentLogger,
    random: () => 0.5,
  });
  const agent = new ScriptedAgent('timer', clock, () => ({ durationMs: 10 }));
  const { engine } = createTestEngine({ clock, agents: [agent], observers: [notifier.onEvent] });
  const run = engine.createRun({
    plan: planOf([{ id: 'a' }], { name: 'gated' }),
    workspace: '/w',
    planFile: null,
    approval: { reason: 'the policy asks a person' },
  });
  const handle = engine.startRun(run.runId);
  await notifier.idle();
  assert.deepEqual(
    sent.map((notification) => notification.kind),
    ['approval-needed'],
  );
  assert.match(
    sent[0]?.text ?? '',
    /waits for your approval \(the policy asks a person\): ai-collab approve/,
  );
  engine.decide(run.runId, { decision: 'approved', by: 'terminal' });
  await clock.runUntilSettled(handle.done);
  await notifier.idle();
  assert.deepEqual(
    sent.map((notification) => [notification.kind, notification.status]),
    [
      ['approval-needed', undefined],
      ['run-finished', 'succeeded'],
    ],
  );
});
