/**
 * The event stream: a snapshot then deltas that rebuild exactly the engine's state with the same
 * reducer; reconnecting with the last seq replays exactly what was missed (or a snapshot when too far
 * behind); runs executed by another process are followed through the store; slow and dead clients are cut.
 */
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunEvent } from '../../src/engine/events.js';
import { applyEvent } from '../../src/engine/projection.js';
import type { RunState } from '../../src/engine/run-state.js';
import type { ServerMessage } from '../../src/server/stream/stream-protocol.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';
import { createTestEngine, planOf } from '../support/test-engine.js';
import { TalkingAgent } from './server-agents.js';
import { callApi, isType, StreamTestClient, startTestServer, upgradeRequest } from './server-harness.js';

/** Folds what a client received, as the dashboard does, checking that no seq is skipped or repeated. */
function fold(messages: ServerMessage[], runId: string): { state: RunState | undefined; seqs: number[] } {
  let state: RunState | undefined;
  const seqs: number[] = [];
  for (const message of messages) {
    if (message.type === 'snapshot' && message.runId === runId) {
      state = structuredClone(message.state);
      seqs.push(message.seq);
    } else if (message.type === 'events' && message.runId === runId && state) {
      for (const event of message.events) {
        assert.equal(event.seq, state.lastSeq + 1, `event ${event.seq} continues ${state.lastSeq}`);
        applyEvent(state, { ...event, runId } as RunEvent);
        seqs.push(event.seq);
      }
    }
  }
  return { state, seqs };
}

function comparable(state: RunState | undefined): unknown {
  return JSON.parse(JSON.stringify(state ?? null));
}

/** Waits until the server's metrics match, for up to five seconds. */
async function eventually(
  harness: { server: { metricsText(): Promise<string> } },
  pattern: RegExp,
): Promise<void> {
  const deadline = Date.now() + 5_000;
  while (!pattern.test(await harness.server.metricsText())) {
    if (Date.now() > deadline) assert.fail(`metrics never matched ${pattern}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

const chain = (count: number) =>
  planOf(
    Array.from({ length: count }, (_, index) => ({
      id: `s${index}`,
      needs: index > 2 ? [`s${index - 3}`] : [],
    })),
    {
      concurrency: 3,
    },
  );

test('a snapshot then deltas rebuild exactly the engine state with the same reducer', async () => {
  const agent = new TalkingAgent('timer', () => ({ durationMs: 5 }));
  const harness = await startTestServer({ agents: [agent] });
  try {
    const created = harness.engine.createRun({
      plan: chain(40),
      workspace: harness.stateDir,
      planFile: null,
    });
    const client = new StreamTestClient(harness.server);
    await client.opened;
    client.send({ type: 'subscribe', runId: created.runId });
    await client.next(isType('snapshot', created.runId));
    const handle = harness.engine.startRun(created.runId);
    const final = await handle.done;
    await client.next(
      (message): message is ServerMessage =>
        message.type === 'events' && message.events.some((event) => event.seq === final.lastSeq),
    );
    const { state, seqs } = fold(client.messages, created.runId);
    assert.deepEqual(comparable(state), comparable(final));
    assert.deepEqual(
      seqs,
      Array.from({ length: seqs.length }, (_, index) => (seqs[0] ?? 0) + index),
    );
    const frames = client.messages.filter((message) => message.type === 'events');
    const bytes = frames.reduce((sum, message) => sum + JSON.stringify(message).length, 0);
    const perEvent = bytes / frames.reduce((sum, message) => sum + message.events.length, 0);
    assert.ok(perEvent < 250, `a delta is small (${perEvent.toFixed(0)} bytes per event)`);
    client.close();
  } finally {
    await harness.close();
  }
});

test('a run the API approves or reopens reaches its watchers at once, not at the next poll', async () => {
  let failing = true;
  const agent = new TalkingAgent('timer', () => ({ durationMs: 5, fail: failing }));
  // Feeds read the store once an hour here: whatever reaches the client came from the engine's start notice.
  const harness = await startTestServer({ agents: [agent], limits: { pollMs: 3_600_000 } });
  try {
    const { runId } = harness.engine.createRun({
      plan: planOf([{ id: 'a' }]),
      workspace: harness.stateDir,
      planFile: null,
      approval: { reason: 'look first' },
    });
    const client = new StreamTestClient(harness.server);
    await client.opened;
    client.send({ type: 'subscribe', runId });
    await client.next(isType('snapshot', runId));
    const finished = (message: ServerMessage): message is ServerMessage =>
      message.type === 'events' && message.events.some((event) => event.type === 'run.finished');
    const approved = await callApi(harness.server, 'POST', `/api/runs/${runId}/approve`, {});
    assert.deepEqual([approved.status, approved.body.started], [200, true]);
    await client.next(finished);
    assert.equal(fold(client.messages, runId).state?.status, 'failed');
    failing = false;
    const from = client.messages.length;
    const retried = await callApi(harness.server, 'POST', `/api/runs/${runId}/steps/a/retry`, {});
    assert.deepEqual([retried.status, retried.body.reopened], [200, true]);
    await client.next(finished, { from });
    assert.equal(fold(client.messages, runId).state?.status, 'succeeded');
    client.close();
  } finally {
    await harness.close();
  }
});

test('a client that reconnects with its last seq gets exactly the events it missed, then live ones', async () => {
  const agent = new TalkingAgent('timer', () => ({ durationMs: 15 }));
  const harness = await startTestServer({ agents: [agent] });
  try {
    const created = harness.engine.createRun({
      plan: chain(60),
      workspace: harness.stateDir,
      planFile: null,
    });
    const first = new StreamTestClient(harness.server);
    await first.opened;
    first.send({ type: 'subscribe', runId: created.runId });
    await first.next(isType('snapshot', created.runId));
    const handle = harness.engine.startRun(created.runId);
    await first.next(
      (message): message is ServerMessage =>
        message.type === 'events' && message.events.some((event) => event.seq >= 20),
    );
    first.socket.terminate();
    const { state: before } = fold(first.messages, created.runId);
    const lastSeq = before?.lastSeq ?? 0;
    // The run goes on while nobody listens: these are the events the second client must be given.
    await waitFor(
      () => (harness.engine.getRunState(created.runId)?.lastSeq ?? 0) >= lastSeq + 10,
      'events recorded while the client was away',
    );
    const second = new StreamTestClient(harness.server);
    await second.opened;
    second.send({ type: 'subscribe', runId: created.runId, afterSeq: lastSeq });
    const final = await handle.done;
    await second.next(
      (message): message is ServerMessage =>
        message.type === 'events' && message.events.some((event) => event.seq === final.lastSeq),
    );
    assert.equal(
      second.messages.filter((message) => message.type === 'snapshot').length,
      0,
      'no snapshot needed',
    );
    const replayed = second.messages.flatMap((message) => (message.type === 'events' ? message.events : []));
    assert.deepEqual(
      replayed.map((event) => event.seq),
      Array.from({ length: final.lastSeq - lastSeq }, (_, index) => lastSeq + 1 + index),
    );
    let state = structuredClone(before) as RunState;
    for (const event of replayed) applyEvent(state, { ...event, runId: created.runId } as RunEvent);
    assert.deepEqual(comparable(state), comparable(final));
    state = undefined as never;
    second.close();
  } finally {
    await harness.close();
  }
});

test('a client too far behind gets a fresh snapshot instead of the events', async () => {
  const agent = new TalkingAgent('timer', () => ({ durationMs: 1 }));
  const harness = await startTestServer({ agents: [agent], limits: { maxReplayEvents: 10 } });
  try {
    const created = harness.engine.createRun({
      plan: chain(30),
      workspace: harness.stateDir,
      planFile: null,
    });
    const final = await harness.engine.startRun(created.runId).done;
    const client = new StreamTestClient(harness.server);
    await client.opened;
    client.send({ type: 'subscribe', runId: created.runId, afterSeq: 3 });
    const snapshot = await client.next(isType('snapshot', created.runId));
    assert.equal(snapshot.seq, final.lastSeq);
    client.send({ type: 'subscribe', runId: created.runId, afterSeq: final.lastSeq - 4 });
    const events = await client.next(isType('events', created.runId));
    assert.deepEqual(
      events.events.map((event) => event.seq),
      [1, 2, 3, 4].map((offset) => final.lastSeq - 4 + offset),
    );
    client.close();
  } finally {
    await harness.close();
  }
});

test('a run executed by another process is followed through the store', async () => {
  const directory = tempDir('ai-collab-two-processes-');
  const database = join(directory, 'state.db');
  const serverStore = new SqliteStore({ path: database, clock: systemClock });
  const harness = await startTestServer({
    store: serverStore,
    stateDir: directory,
    limits: { pollMs: 20, runsPollMs: 50 },
  });
  const otherStore = new SqliteStore({ path: database, clock: systemClock });
  const other = createTestEngine({
    agents: [new TalkingAgent('timer', () => ({ durationMs: 5 }))],
    clock: systemClock as never,
    store: otherStore,
    stateDir: directory,
  });
  try {
    const client = new StreamTestClient(harness.server);
    await client.opened;
    client.send({ type: 'subscribe-runs' });
    await client.next(isType('runs'));
    const created = other.engine.createRun({ plan: chain(20), workspace: directory, planFile: null });
    const listed = await client.next(
      (message): message is Extract<ServerMessage, { type: 'run-updated' }> =>
        message.type === 'run-updated' && message.run.runId === created.runId,
    );
    assert.equal(listed.run.name, 'test-plan');
    client.send({ type: 'subscribe', runId: created.runId });
    await client.next(isType('snapshot', created.runId));
    const final = await other.engine.startRun(created.runId).done;
    await client.next(
      (message): message is ServerMessage =>
        message.type === 'events' && message.events.some((event) => event.seq === final.lastSeq),
    );
    assert.deepEqual(comparable(fold(client.messages, created.runId).state), comparable(final));
    await client.next(
      (message): message is ServerMessage =>
        message.type === 'run-updated' &&
        message.run.runId === created.runId &&
        message.run.status === 'succeeded',
    );
    client.close();
  } finally {
    await harness.close();
    otherStore.close();
    serverStore.close();
  }
});

test('live output streams in throttled, redacted chunks, with the tail for late viewers', async () => {
  const secret = 'sk-ant-api03-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghij';
  const agent = new TalkingAgent('timer', (stepId) =>
    stepId === 'talk'
      ? {
          durationMs: 1_000,
          say: ['hello ', 'world\n', `key ${secret.slice(0, 20)}`, `${secret.slice(20)} end\n`],
        }
      : { durationMs: 5 },
  );
  const harness = await startTestServer({ agents: [agent], environment: { ANTHROPIC_API_KEY: secret } });
  try {
    const created = harness.engine.createRun({
      plan: planOf([{ id: 'talk' }]),
      workspace: harness.stateDir,
      planFile: null,
    });
    const client = new StreamTestClient(harness.server);
    await client.opened;
    client.send({ type: 'subscribe', runId: created.runId });
    await client.next(isType('snapshot', created.runId));
    await harness.engine.startRun(created.runId).done;
    const liveText = () =>
      client.messages
        .flatMap((message) => (message.type === 'live' ? message.chunks : []))
        .map((chunk) => chunk.text)
        .join('');
    // Live output is throttled: its last frame may come after the run ended.
    await waitFor(() => liveText().endsWith(' end\n'), 'the last live output');
    const text = liveText();
    assert.match(text, /hello world\n/);
    assert.match(text, /key <redacted> end/);
    for (const message of client.messages) assert.ok(!JSON.stringify(message).includes(secret.slice(10, 40)));
    const liveFrames = client.messages.filter((message) => message.type === 'live').length;
    assert.ok(liveFrames <= 6, `throttled: ${liveFrames} frames for 4 parts`);
    client.close();
  } finally {
    await harness.close();
  }
});

test('a client that does not read is cut off at the buffered-bytes cap; the others carry on', async () => {
  const agent = new TalkingAgent('timer', () => ({ durationMs: 1 }));
  const harness = await startTestServer({ agents: [agent], limits: { maxBufferedBytes: 1024 * 1024 } });
  try {
    const big = harness.engine.createRun({ plan: chain(3_000), workspace: harness.stateDir, planFile: null });
    const healthy = new StreamTestClient(harness.server);
    const slow = new StreamTestClient(harness.server);
    await Promise.all([healthy.opened, slow.opened]);
    // Stop reading: the server's writes pile up behind a full socket.
    const raw = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    raw.pause();
    for (let index = 0; index < 40; index++) slow.send({ type: 'subscribe', runId: big.runId });
    await eventually(harness, /ai_collab_ws_clients_dropped_total\{reason="slow"\} 1/);
    const closed = new Promise<number>((resolve) => slow.socket.once('close', (code) => resolve(code)));
    raw.resume();
    assert.equal(await closed, 1006, 'cut off without a close frame');
    healthy.send({ type: 'subscribe', runId: big.runId });
    const snapshot = await healthy.next(isType('snapshot', big.runId));
    assert.equal(snapshot.state.order.length, 3_000);
    healthy.close();
  } finally {
    await harness.close();
  }
});

test('a peer that stops answering pings is dropped', async () => {
  const harness = await startTestServer({ limits: { heartbeatMs: 50 } });
  try {
    const socket = connect({ host: '127.0.0.1', port: harness.server.port });
    socket.write(
      upgradeRequest(harness.server.port, {
        Origin: harness.server.url,
        Authorization: `Bearer ${harness.server.token}`,
      }),
    );
    socket.once('data', () => socket.pause());
    await eventually(harness, /ai_collab_ws_clients_dropped_total\{reason="dead"\} 1/);
    socket.destroy();
  } finally {
    await harness.close();
  }
});
