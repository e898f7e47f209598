import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { parkedLine } from '../../../src/cli/output/choice-text.js';
import { renderLiveFrame } from '../../../src/cli/output/live-frame.js';
import { describeEvent } from '../../../src/cli/output/plain-progress.js';
import { renderSummary } from '../../../src/cli/output/run-summary.js';
import { buildRunReport } from '../../../src/cli/run-report.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { summarizeRun } from '../../../src/mcp/run-summary.js';
import { expandCandidates } from '../../../src/plan/expand-candidates.js';
import type { PlanDefinition } from '../../../src/protocol/plan-types.js';
import { FakeClock } from '../../support/fake-clock.js';
import { ScriptedAgent } from '../../support/scripted-agent.js';
import { createTestEngine, planOf } from '../../support/test-engine.js';

function withCandidates(
  plan: PlanDefinition,
  requests: Record<string, { count?: number; agents?: string[]; pick?: 'best' | 'first' }>,
): PlanDefinition {
  const map = new Map(Object.entries(requests).map(([id, request]) => [id, { index: 0, ...request }]));
  const expanded = expandCandidates(plan.steps, map);
  assert.deepEqual(expanded.problems, []);
  return { ...plan, steps: expanded.steps };
}

/** The run's events as recorded, collected from the start. */
function recorded(handle: { subscribe(listener: (event: RunEvent) => void): () => void }): RunEvent[] {
  const events: RunEvent[] = [];
  handle.subscribe((event) => events.push(event));
  return events;
}

test('best of three: a failing candidate blocks nothing, the pick is recorded with every standing, dependents run', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, (id) => ({
    durationMs: id === 'impl#2' ? 3_000 : 1_000,
    ...(id === 'impl#1' && { fail: { kind: 'permanent', message: 'check failed: 2 tests fail' } }),
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const plan = withCandidates(planOf([{ id: 'impl' }, { id: 'after', needs: ['impl'] }]), {
    impl: { count: 3 },
  });
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const handle = engine.startRun(run.runId);
  const events = recorded(handle);
  const state = await clock.runUntilSettled(handle.done);
  assert.equal(state.status, 'succeeded', 'a candidate that was not picked does not fail the run');
  assert.equal(state.steps['impl#1']?.status, 'failed');
  assert.equal(state.steps.impl?.status, 'succeeded');
  assert.equal(state.steps.after?.status, 'succeeded');
  // The three candidates ran side by side, each its own attempt.
  assert.deepEqual(agent.starts().slice(0, 3).sort(), ['impl#1', 'impl#2', 'impl#3']);
  const picked = events.find((event) => event.type === 'step.candidate-picked');
  assert.ok(picked && picked.type === 'step.candidate-picked');
  assert.equal(
    picked.data.candidate,
    'impl#3',
    'of two equal passing candidates the one that finished first',
  );
  assert.deepEqual(
    picked.data.ranking.map((entry) => [entry.stepId, entry.passed]),
    [
      ['impl#3', true],
      ['impl#2', true],
      ['impl#1', false],
    ],
  );
  assert.match(picked.data.ranking[2]?.reason ?? '', /check failed: 2 tests fail/);
  assert.equal(state.steps.impl?.picked, 'impl#3');
  // status shows the candidates side by side, and --json carries the pick and the ranking.
  const colors = pc.createColors(false);
  const summary = renderSummary(state, { colors, now: clock.now(), cwd: '/tmp', logsDir: '/tmp/logs' });
  assert.match(
    summary,
    /candidates of step impl \(pick: best\):\n {2}impl#1 {2}timer {2}failed {2}did not pass: check failed: 2 tests fail\n {2}impl#2 {2}timer {2}succeeded {2}passed, ranked 2 .*\n {2}impl#3 {2}timer {2}succeeded {2}picked/,
  );
  const report = buildRunReport(state);
  const impl = report.steps.find((step) => step.id === 'impl');
  assert.equal(impl?.picked, 'impl#3');
  assert.deepEqual(impl?.candidates, ['impl#1', 'impl#2', 'impl#3']);
  assert.equal(report.steps.find((step) => step.id === 'impl#1')?.candidateOf, 'impl');
  // MCP get_run lists the candidates with their outcome and why.
  const overMcp = summarizeRun(state, false);
  assert.deepEqual(overMcp.candidates, [
    {
      stepId: 'impl',
      pick: 'best',
      picked: 'impl#3',
      candidates: [
        {
          id: 'impl#1',
          agent: 'timer',
          outcome: 'failed',
          picked: false,
          reason: picked.data.ranking[2]?.reason,
        },
        {
          id: 'impl#2',
          agent: 'timer',
          outcome: 'succeeded',
          picked: false,
          reason: picked.data.ranking[1]?.reason,
        },
        {
          id: 'impl#3',
          agent: 'timer',
          outcome: 'succeeded',
          picked: true,
          reason: picked.data.ranking[0]?.reason,
        },
      ],
    },
  ]);
});

test('pick: first merges the first candidate that passes and stops the others at once', async () => {
  const clock = new FakeClock();
  const claude = new ScriptedAgent('claude', clock, () => ({ durationMs: 1_000 }));
  const codex = new ScriptedAgent('codex', clock, () => ({ durationMs: 60_000 }));
  const { engine } = createTestEngine({ clock, agents: [claude, codex] });
  const plan = withCandidates(planOf([{ id: 'impl', agent: 'claude' }]), {
    impl: { agents: ['codex', 'claude'], pick: 'first' },
  });
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const start = clock.now();
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.equal(state.steps.impl?.picked, 'impl#2');
  assert.equal(state.steps['impl#1']?.status, 'cancelled');
  // The slow candidate was stopped when the fast one passed, not left to run its minute.
  const aborted = codex.timeline.find((entry) => entry.what === 'abort');
  assert.equal(aborted?.at, start + 1_000);
  assert.equal(state.finishedAt !== undefined && state.finishedAt - start < 60_000, true);
});

test('no passing candidate fails the step, naming why each did not pass', async () => {
  const clock = new FakeClock();
  const agent = new ScriptedAgent('timer', clock, () => ({
    durationMs: 1_000,
    fail: { kind: 'permanent', message: 'review rejected it' },
  }));
  const { engine } = createTestEngine({ clock, agents: [agent] });
  const plan = withCandidates(planOf([{ id: 'impl' }, { id: 'after', needs: ['impl'] }]), {
    impl: { count: 2 },
  });
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'failed');
  assert.equal(state.steps.impl?.status, 'failed');
  assert.match(state.steps.impl?.error?.message ?? '', /no candidate passed: impl#1 .*review rejected it/);
  assert.equal(state.steps.after?.status, 'blocked');
});

test('a usage limit moves the step to its fallback at once; without fallback it parks and shows the window', async () => {
  const clock = new FakeClock();
  const resetAt = clock.now() + 5 * 60 * 60_000;
  const claude = new ScriptedAgent('claude', clock, () => ({
    durationMs: 1_000,
    fail: {
      code: 'USAGE_LIMIT',
      kind: 'usage-limit',
      message: 'Claude AI usage limit reached',
      resetAt,
      limitWindow: 'five_hour',
    },
  }));
  const codex = new ScriptedAgent('codex', clock, () => ({ durationMs: 1_000 }));
  const { engine } = createTestEngine({ clock, agents: [claude, codex] });
  const plan = planOf([
    { id: 'moves', agent: 'claude', fallback: ['codex'] },
    { id: 'waits', agent: 'claude', needs: ['moves'] },
  ]);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const started = engine.startRun(run.runId);
  const events = recorded(started);
  // Drive the clock until the step without a fallback is parked.
  const state = await clock.runUntilSettled(
    new Promise<void>((resolve) => {
      const check = () =>
        started.state.steps.waits?.status === 'retrying' ? resolve() : setImmediate(check);
      check();
    }).then(() => started.state),
  );
  assert.equal(state.steps.moves?.status, 'succeeded');
  assert.equal(state.steps.moves?.agent, 'codex');
  const moved = events.find((event) => event.type === 'step.failed-over');
  assert.ok(moved && moved.type === 'step.failed-over');
  assert.deepEqual([moved.data.from, moved.data.to, moved.data.cause], ['claude', 'codex', 'usage-limit']);
  assert.match(moved.data.reason, /usage limit reached/);
  // "waits" has no fallback: it parks until the reset, no retry spent, and the agent shows as parked.
  const limit = state.agentLimits?.claude;
  assert.ok(limit);
  assert.equal(limit.until, resetAt);
  assert.equal(limit.window, 'five_hour');
  const reset = new Date(resetAt);
  const hhmm = `${String(reset.getHours()).padStart(2, '0')}:${String(reset.getMinutes()).padStart(2, '0')}`;
  assert.equal(parkedLine('claude', limit, clock.now()), `claude: parked until ${hhmm} (five_hour)`);
  const summary = renderSummary(state, {
    colors: pc.createColors(false),
    now: clock.now(),
    cwd: '/tmp',
    logsDir: '/tmp/logs',
  });
  // One line for the move, with the agent's window and reset; one for the parked step; one for the agent.
  const moveLine = `step moves: claude parked until ${hhmm} (five_hour) → moved to codex`;
  const lines = summary.split('\n');
  const at = lines.indexOf(moveLine);
  assert.deepEqual(
    lines.slice(at, at + 3),
    [
      moveLine,
      `step waits waits for claude until ${hhmm} (five_hour), no attempt spent`,
      `claude: parked until ${hhmm} (five_hour)`,
    ],
    summary,
  );
  assert.ok(moved.seq <= state.lastSeq);
  assert.equal(describeEvent(moved, state)?.endsWith(` ${moveLine}`), true, describeEvent(moved, state));
  const frame = renderLiveFrame(state, {
    now: clock.now(),
    width: 120,
    height: 20,
    frame: 0,
    colors: pc.createColors(false),
  });
  assert.ok(frame.includes(`${moveLine}\nclaude: parked until ${hhmm} (five_hour)`), frame);
  // status --json lists the move and the parked step with the window.
  const report = buildRunReport(state);
  assert.deepEqual(
    report.failovers?.map((move) => [move.stepId, move.from, move.to, move.cause, move.until, move.window]),
    [['moves', 'claude', 'codex', 'usage-limit', resetAt, 'five_hour']],
  );
  // MCP get_run: the same moves and parked steps, with their reasons.
  const overMcp = summarizeRun(state, false);
  assert.deepEqual(overMcp.failovers, report.failovers);
  assert.deepEqual(overMcp.parked, report.parked);
  assert.match(JSON.stringify(overMcp.failovers), /Claude AI usage limit reached/);
  assert.deepEqual(report.parked, [
    { stepId: 'waits', agent: 'claude', until: resetAt, reason: limit.reason, window: 'five_hour' },
  ]);
  assert.equal(state.steps.waits?.failures, 0);
  engine.stop(run.runId, 'immediate');
  await clock.runUntilSettled(started.done);
});

test('an agent parked earlier in the run sends its next ready step to the fallback before it starts', async () => {
  const clock = new FakeClock();
  const claude = new ScriptedAgent('claude', clock, () => ({
    durationMs: 1_000,
    fail: { code: 'USAGE_LIMIT', kind: 'usage-limit', message: 'limit', resetAt: clock.now() + 3_600_000 },
  }));
  const codex = new ScriptedAgent('codex', clock, () => ({ durationMs: 1_000 }));
  const { engine, registry } = createTestEngine({ clock, agents: [claude, codex] });
  registry.setFallback('claude', ['codex']);
  const plan = planOf([
    { id: 'first', agent: 'claude' },
    { id: 'second', agent: 'claude', needs: ['first'] },
  ]);
  const run = engine.createRun({ plan, workspace: '/tmp', planFile: null });
  const state = await clock.runUntilSettled(engine.startRun(run.runId).done);
  assert.equal(state.status, 'succeeded');
  assert.deepEqual(claude.starts(), ['first'], 'the parked agent is not tried again for the second step');
  assert.deepEqual(codex.starts(), ['first', 'second']);
});
