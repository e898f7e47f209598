import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { Notification } from '../../../src/cli/notify/notification.js';
import { notificationOf } from '../../../src/cli/notify/notification.js';
import { Notifier } from '../../../src/cli/notify/notifier.js';
import { commandChannel, webhookChannel } from '../../../src/cli/notify/notify-channels.js';
import { createRunState } from '../../../src/engine/projection.js';
import { systemClock } from '../../../src/support/clock.js';
import type { Logger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';
import { runCreatedBody } from '../../support/test-engine.js';

/** A webhook receiver on loopback: answers each POST with the next status (then 200), keeps the bodies. */
let server: Server;
let baseUrl = '';
const received: unknown[] = [];
let statuses: number[] = [];

before(async () => {
  server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => {
      body += chunk;
    });
    request.on('end', () => {
      received.push(JSON.parse(body));
      response.statusCode = statuses.shift() ?? 200;
      response.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(() => new Promise<void>((resolve) => server.close(() => resolve())));

function recordingLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const log = (message: string, fields?: Record<string, unknown>) =>
    lines.push(`${message} ${JSON.stringify(fields ?? {})}`);
  return { lines, debug: log, info: log, warn: log, error: log };
}

const sample: Notification = {
  kind: 'run-finished',
  runId: 'run-1',
  runName: 'demo',
  text: 'ai-collab: run run-1 (demo) succeeded: 2/2 steps succeeded',
  at: 1_700_000_000_000,
  status: 'succeeded',
};

/** Lets pending I/O and promise callbacks run until `condition` holds (a condition, not a sleep). */
async function until(condition: () => boolean): Promise<void> {
  for (let turn = 0; turn < 100_000 && !condition(); turn++)
    await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'the condition never held');
}

test('a webhook on loopback receives the notification as JSON with a Slack-compatible text field', async () => {
  received.length = 0;
  const notifier = new Notifier({
    channels: [webhookChannel(`${baseUrl}/services/T000/B000/secret-token`)],
    clock: systemClock,
    logger: recordingLogger(),
    random: () => 0.5,
  });
  notifier.notify(sample);
  await notifier.idle();
  assert.equal(received.length, 1);
  assert.deepEqual(received[0], sample);
  assert.match(String((received[0] as { text: string }).text), /run run-1 \(demo\) succeeded/);
});

test('a failing webhook is retried with backoff on the clock, logged without its secret path, and never throws', async () => {
  received.length = 0;
  statuses = [500, 503];
  const clock = new FakeClock();
  const logger = recordingLogger();
  const url = `${baseUrl}/services/T000/B000/secret-token`;
  const notifier = new Notifier({
    channels: [webhookChannel(url)],
    clock,
    logger,
    random: () => 1,
    backoff: { initialMs: 1_000, maxMs: 60_000, factor: 2 },
    secrets: [url, '/services/T000/B000/secret-token'],
  });
  notifier.notify(sample); // returns at once: a run never waits for its notifications
  await until(() => clock.pendingTimers === 1);
  assert.deepEqual(clock.pendingDelays(), [1_000], 'first retry after the initial backoff');
  await clock.advance(1_000);
  await until(() => received.length === 2 && clock.pendingTimers === 1);
  assert.deepEqual(clock.pendingDelays(), [2_000], 'the second retry waits twice as long');
  await clock.advance(2_000);
  await notifier.idle();
  assert.equal(received.length, 3, 'delivered on the third try');
  assert.equal(logger.lines.length, 2);
  assert.ok(
    logger.lines.every((line) => line.includes('HTTP 5')),
    logger.lines.join('\n'),
  );
  assert.ok(!logger.lines.some((line) => line.includes('secret-token')), 'the token is redacted');
});

test('a notifier that keeps failing gives up after its retries, with one line saying so', async () => {
  const clock = new FakeClock();
  const logger = recordingLogger();
  const notifier = new Notifier({
    channels: [
      {
        name: 'broken',
        send: () => Promise.reject(new Error('connection refused')),
      },
    ],
    clock,
    logger,
    random: () => 1,
    retries: 2,
  });
  notifier.notify(sample);
  for (const delay of [1_000, 2_000]) {
    await until(() => clock.pendingTimers === 1);
    assert.deepEqual(clock.pendingDelays(), [delay]);
    await clock.advance(delay);
  }
  await notifier.idle();
  assert.equal(logger.lines.filter((line) => line.includes('trying again')).length, 2);
  assert.equal(logger.lines.filter((line) => line.includes('giving up')).length, 1);
});

test('a command notifier runs its argument vector (no shell) with the notification on stdin and in variables', async () => {
  const out = join(tempDir('ai-collab-notify-'), 'notified.json');
  // `$(touch pwned)` would run under a shell; as an argument it is only text.
  const script =
    "let input='';process.stdin.on('data',c=>input+=c).on('end',()=>require('fs').writeFileSync(process.argv[1],JSON.stringify({input:JSON.parse(input),kind:process.env.AI_COLLAB_NOTIFY_KIND,arg:process.argv[2]})))";
  const notifier = new Notifier({
    channels: [commandChannel([process.execPath, '-e', script, out, '$(touch pwned)'], process.env)],
    clock: systemClock,
    logger: recordingLogger(),
    random: () => 0.5,
  });
  notifier.notify(sample);
  await notifier.idle();
  const written = JSON.parse(readFileSync(out, 'utf8')) as { input: Notification; kind: string; arg: string };
  assert.deepEqual(written.input, sample);
  assert.equal(written.kind, 'run-finished');
  assert.equal(written.arg, '$(touch pwned)');
});

test('committed events become notifications: approval wanted, run ended, step parked, budget reached; others none', () => {
  const state = createRunState({ ...runCreatedBody(), runId: 'run-9', seq: 1, at: 1 });
  const at = { runId: 'run-9', seq: 2, at: 2 };
  assert.equal(
    notificationOf({ ...at, type: 'run.approval-requested', data: { reason: 'policy' } }, state)?.kind,
    'approval-needed',
  );
  assert.equal(
    notificationOf({ ...at, type: 'run.finished', data: { status: 'failed' } }, state)?.status,
    'failed',
  );
  const parked = notificationOf(
    { ...at, type: 'step.parked', data: { stepId: 's', attempt: 1, until: 3_600_000, reason: 'five_hour' } },
    state,
  );
  assert.equal(parked?.kind, 'step-parked');
  assert.match(parked?.text ?? '', /usage limit until 1970-01-01T01:00:00\.000Z \(five_hour\)/);
  const reached = notificationOf(
    {
      ...at,
      type: 'run.budget-reached',
      data: { budget: { usd: 5 }, spent: { usd: 4.8, tokens: 1_200, uncostedTokens: 0 }, waiting: 3 },
    },
    state,
  );
  assert.equal(reached?.kind, 'budget-reached');
  assert.match(reached?.text ?? '', /paused at its budget: spent \$4\.80 .* of \$5\.00, 3 step\(s\) wait/);
  assert.equal(notificationOf({ ...at, type: 'run.paused', data: {} }, state), undefined);
});
