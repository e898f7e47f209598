import assert from 'node:assert/strict';
import { test } from 'node:test';
import { systemClock } from '../../src/support/clock.js';
import { stillInHeap } from '../support/heap-strings.js';
import { ScriptedAgent } from '../support/scripted-agent.js';
import { planOf } from '../support/test-engine.js';
import { StreamTestClient, startTestServer } from './server-harness.js';

test('the server holds nothing of a run once it has ended, nobody follows it and it left the runs list', async () => {
  const agent = new ScriptedAgent('timer', systemClock, () => ({ durationMs: 1 }));
  const listedRuns = 3;
  const server = await startTestServer({
    agents: [agent],
    limits: { listedRuns, idleFeedCloseMs: 0, runsPollMs: 20, pollMs: 20 },
  });
  try {
    const client = new StreamTestClient(server.server);
    await client.opened;
    client.send({ type: 'subscribe-runs' });
    // Run ids are kept off the heap (as bytes), so only the server could be holding them.
    const runIds: Buffer[] = [];
    const steps = Array.from({ length: 5 }, (_, index) => ({ id: `s${index}` }));
    for (let index = 0; index < 12; index++) {
      const run = server.engine.createRun({ plan: planOf(steps), workspace: '/w', planFile: null });
      runIds.push(Buffer.from(run.runId));
      client.send({ type: 'subscribe', runId: run.runId, afterSeq: 0 });
      await server.engine.startRun(run.runId).done;
      client.send({ type: 'unsubscribe', runId: run.runId });
    }
    const ended = runIds.slice(0, -listedRuns);
    client.messages.length = 0;
    client.socket.close();
    // The feeds of ended runs close once idle and the runs list moves past them: wait for that, by looking.
    let held = stillInHeap(ended);
    const deadline = Date.now() + 30_000;
    while (held.length > 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      held = stillInHeap(ended);
    }
    assert.deepEqual(
      held.map((index) => ended[index]?.toString()),
      [],
      'ended runs outside the runs list are forgotten',
    );
  } finally {
    await server.close();
  }
});
