import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer, planningHeartbeatMs, planTaskWaitMs } from '../../../src/mcp/mcp-server.js';
import type { PlanTaskResult } from '../../../src/plan/planner/plan-task.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('plan_task reports progress while the planner works, and stops reporting once it answers', async () => {
  let answer: ((result: PlanTaskResult) => void) | undefined;
  const { client, clock } = await connectWithPlanner(
    () =>
      new Promise((resolve) => {
        answer = resolve;
      }),
  );
  const progress: string[] = [];
  const called = client.callTool({ name: 'plan_task', arguments: { task: 'do it' } }, undefined, {
    onprogress: (update) => progress.push(update.message ?? ''),
  });
  await clock.advance(0);
  await clock.advance(planningHeartbeatMs);
  await clock.advance(planningHeartbeatMs);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(progress, ['planning (0 s)', 'planning (5 s)', 'planning (10 s)']);

  answer?.({ plan: planOf([{ id: 'only' }]), planner: 'scripted', attempts: 1 });
  const result = await called;
  const [content] = result.content as Array<{ text: string }>;
  assert.equal((JSON.parse(content?.text ?? '{}') as { status: string }).status, 'awaiting_approval');
  await clock.advance(planningHeartbeatMs * 3);
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(progress.length, 3, 'no progress after the answer');
  await client.close();
});

async function connectWithPlanner(planTask: (signal: AbortSignal) => Promise<PlanTaskResult>) {
  const { engine, clock } = createTestEngine({ agents: [] });
  const server = createMcpServer({
    engine,
    version: '0.0.0',
    clock,
    planTask: (_task, _planner, signal) => planTask(signal),
    parsePlan: () => assert.fail('not called'),
    approvalReasonFor: () => undefined,
    startPlan: (plan, reason, runId) => {
      const created = engine.createRun({
        plan,
        workspace: '/nonexistent',
        planFile: null,
        ...(runId !== undefined && { runId }),
        ...(reason !== undefined && { approval: { reason } }),
      });
      return engine.startRun(created.runId);
    },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);
  const call = async (name: string, args: Record<string, unknown>) => {
    const result = await client.callTool({ name, arguments: args });
    const [content] = result.content as Array<{ text: string }>;
    return { isError: result.isError === true, text: content?.text ?? '' };
  };
  return { client, clock, call };
}

test('a slow planner: plan_task returns the run id to follow; get_run shows the planning, then the plan awaiting approval', async () => {
  let answer: ((result: PlanTaskResult) => void) | undefined;
  const { client, clock, call } = await connectWithPlanner(
    () =>
      new Promise((resolve) => {
        answer = resolve;
      }),
  );
  const pending = call('plan_task', { task: 'a big task' });
  await clock.advance(planTaskWaitMs);
  const returned = JSON.parse((await pending).text) as { runId: string; status: string };
  assert.equal(returned.status, 'planning');
  await clock.advance(60_000);
  const during = JSON.parse((await call('get_run', { runId: returned.runId })).text) as {
    status: string;
    seconds: number;
  };
  assert.deepEqual([during.status, during.seconds], ['planning', 85]);
  answer?.({ plan: planOf([{ id: 'only' }]), planner: 'scripted', attempts: 1 });
  await clock.advance(0);
  const after = JSON.parse((await call('get_run', { runId: returned.runId })).text) as {
    runId: string;
    status: string;
  };
  assert.deepEqual(after, { ...after, runId: returned.runId, status: 'awaiting_approval' });
  await client.close();
});

test('planning that fails after plan_task returned is reported by get_run; cancel_run stops a planner', async () => {
  let fail: ((error: Error) => void) | undefined;
  let signalSeen: AbortSignal | undefined;
  const { client, clock, call } = await connectWithPlanner(
    (signal) =>
      new Promise((_resolve, reject) => {
        signalSeen = signal;
        fail = reject;
        signal.addEventListener('abort', () => reject(signal.reason as Error));
      }),
  );
  const first = call('plan_task', { task: 'one' });
  await clock.advance(planTaskWaitMs);
  const { runId } = JSON.parse((await first).text) as { runId: string };
  fail?.(new Error('the planner answered no plan twice'));
  await clock.advance(0);
  const failed = JSON.parse((await call('get_run', { runId })).text) as { status: string; error: string };
  assert.deepEqual([failed.status, failed.error], ['failed', 'the planner answered no plan twice']);

  const second = call('plan_task', { task: 'two' });
  await clock.advance(planTaskWaitMs);
  const { runId: secondId } = JSON.parse((await second).text) as { runId: string };
  assert.equal((await call('cancel_run', { runId: secondId })).isError, false);
  assert.equal(signalSeen?.aborted, true, 'the planner was told to stop');
  await clock.advance(0);
  const cancelled = JSON.parse((await call('get_run', { runId: secondId })).text) as {
    status: string;
    error: string;
  };
  assert.deepEqual([cancelled.status, cancelled.error], ['failed', 'planning was cancelled']);
  await client.close();
});
