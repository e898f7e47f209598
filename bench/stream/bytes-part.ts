/**
 * Part 1: what one client receives while a plan runs, against what the seed would have sent for the same
 * events (its `broadcastState`: the whole plan, plan response and log after every change).
 */
import WebSocket from 'ws';
import type { RunEvent } from '../../src/engine/events.js';
import { applyEvent } from '../../src/engine/projection.js';
import type { RunState } from '../../src/engine/run-state.js';
import type { ServerMessage } from '../../src/server/stream/stream-protocol.js';
import { layeredPlan, startFixture } from './stream-fixture.js';

export interface BytesResult {
  steps: number;
  events: number;
  snapshotBytes: number;
  deltaBytes: number;
  deltaFrames: number;
  bytesPerChange: number;
  /** The seed's broadcast: state + plan response + accumulated log, after every change. */
  seedBytes: number;
  seedBytesPerChange: number;
  /** The most conservative full-state broadcast: the projected run state alone, after every change. */
  stateOnlyBytes: number;
  /** Whether baseline sizes were measured on every event or on a sample. */
  sampled: boolean;
  reducerMatches: boolean;
  gaps: number;
}

export async function measureBytes(stateDir: string, steps: number): Promise<BytesResult> {
  const fixture = await startFixture(stateDir, (stepId) => {
    const index = Number(stepId.slice(1));
    return { durationMs: 1 + (index % 4), failFirst: index % 25 === 7, outputChars: 120 };
  });
  try {
    const plan = layeredPlan(steps, Math.max(10, Math.round(Math.sqrt(steps) * 1.5)), `bytes-${steps}`);
    const created = fixture.engine.createRun({ plan, workspace: stateDir, planFile: null, concurrency: 16 });
    const client = new WebSocket(`${fixture.server.url.replace('http:', 'ws:')}/api/stream`, {
      origin: fixture.server.url,
      headers: { authorization: `Bearer ${fixture.server.token}` },
    });
    const frames: Array<{ bytes: number; message: ServerMessage }> = [];
    client.on('message', (data: Buffer) =>
      frames.push({ bytes: data.length, message: JSON.parse(data.toString()) }),
    );
    await new Promise((resolve) => client.once('open', resolve));
    client.send(JSON.stringify({ type: 'subscribe', runId: created.runId }));
    while (!frames.some((frame) => frame.message.type === 'snapshot'))
      await new Promise((r) => setTimeout(r, 5));
    const final = await fixture.engine.startRun(created.runId).done;
    const delivered = () =>
      frames.some(
        (frame) =>
          frame.message.type === 'events' &&
          frame.message.events.some((event) => event.seq === final.lastSeq),
      );
    while (!delivered()) await new Promise((r) => setTimeout(r, 10));
    client.close();
    return account(frames, final, created.runId, steps > 2_000);
  } finally {
    await fixture.close();
  }
}

function account(
  frames: Array<{ bytes: number; message: ServerMessage }>,
  final: RunState,
  runId: string,
  sample: boolean,
): BytesResult {
  let snapshotBytes = 0;
  let deltaBytes = 0;
  let deltaFrames = 0;
  let state: RunState | undefined;
  let gaps = 0;
  let events = 0;
  let seedBytes = 0;
  let stateOnlyBytes = 0;
  let seedSamples = 0;
  let logBytes = 0;
  let logEntries = 0;
  for (const { bytes, message } of frames) {
    if (message.type === 'snapshot') {
      snapshotBytes += bytes;
      state = structuredClone(message.state);
    } else if (message.type === 'events' && state) {
      deltaBytes += bytes;
      deltaFrames++;
      for (const wire of message.events) {
        if (wire.seq !== state.lastSeq + 1) gaps++;
        applyEvent(state, { ...wire, runId } as RunEvent);
        events++;
        // The seed's log grows by one entry per change; its size is kept as a running sum.
        logBytes +=
          JSON.stringify({ timestamp: new Date(wire.at).toISOString(), type: wire.type, ...wire.data })
            .length + 1;
        logEntries++;
        if (!sample || events % 50 === 1) {
          const stateBytes = JSON.stringify(state).length;
          stateOnlyBytes += stateBytes;
          seedBytes += seedBroadcastBytes(state, stateBytes, logBytes, logEntries);
          seedSamples++;
        }
      }
    }
  }
  const seedPerChange = seedBytes / Math.max(seedSamples, 1);
  const statePerChange = stateOnlyBytes / Math.max(seedSamples, 1);
  return {
    steps: final.order.length,
    events,
    snapshotBytes,
    deltaBytes,
    deltaFrames,
    bytesPerChange: deltaBytes / Math.max(events, 1),
    seedBytes: sample ? seedPerChange * events : seedBytes,
    seedBytesPerChange: seedPerChange,
    stateOnlyBytes: sample ? statePerChange * events : stateOnlyBytes,
    sampled: sample,
    reducerMatches: JSON.stringify(state) === JSON.stringify(final),
    gaps,
  };
}

/** `{type:'STATE_UPDATE', payload:{plan, planResponse, logs, currentStep, pendingApproval}}`, sized. */
function seedBroadcastBytes(state: RunState, planJson: number, logBytes: number, logEntries: number): number {
  const responseJson = JSON.stringify(state.plan).length;
  const envelope =
    '{"type":"STATE_UPDATE","payload":{"plan":,"planResponse":,"logs":[],"currentStep":"s0","pendingApproval":false}}'
      .length;
  return envelope + planJson + responseJson + logBytes + Math.max(0, logEntries - 1);
}
