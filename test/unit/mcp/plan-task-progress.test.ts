import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import { createMcpServer, planningHeartbeatMs } from '../../../src/mcp/mcp-server.js';
import type { PlanTaskResult } from '../../../src/plan/planner/plan-task.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

test('plan_task reports progress while the planner works, and stops reporting once it answers', async () => {
  const { engine, clock } = createTestEngine({ agents: [] });
  let answer: ((result: PlanTaskResult) => void) | undefined;
  const server = createMcpServer({
    engine,
    version: '0.0.0',
    clock,
    planTask: () =>
      new Promise((resolve) => {
        answer = resolve;
      }),
    parsePlan: () => assert.fail('not called'),
    approvalReasonFor: () => undefined,
    startPlan: (plan, reason) => {
      const created = engine.createRun({
        plan,
        workspace: '/nonexistent',
        planFile: null,
        ...(reason !== undefined && { approval: { reason } }),
      });
      return engine.startRun(created.runId);
    },
  });
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await server.connect(serverSide);
  const client = new Client({ name: 'test', version: '1' });
  await client.connect(clientSide);

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
