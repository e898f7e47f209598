import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { type AcpAgentOptions, createAcpAgent } from '../../src/agents/acp/acp-agent.js';
import type { AcpSpec } from '../../src/agents/acp/acp-spec.js';
import type { AgentResult, AgentStreamPart, AgentTask, ProcessStartRecord } from '../../src/agents/agent.js';
import type { AgentDeps } from '../../src/agents/agent-deps.js';
import { MemoryProcessRegistry } from '../../src/agents/process/process-registry.js';
import { defaultBackoff, type StepAction } from '../../src/protocol/plan-types.js';
import { type Clock, systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { testPool } from '../support/agent-deps.js';
import { isAlive, waitFor } from '../support/cli.js';
import { FakeClock, pump } from '../support/fake-clock.js';
import { tempDir } from '../support/temp-dir.js';
import { treeOf } from './gemini-harness.js';

// The ACP adapter against a fake ACP agent that runs as a real process (built with the official SDK's
// agent side): process supervision, cancel and retirement, crashes, start failures, sessions per process.
const fakeMain = new URL('../unit/agents/acp/fake-acp-agent-main.ts', import.meta.url).pathname;
const tsx = import.meta.resolve('tsx');

function specFor(behaviour = 'normal', overrides: Partial<AcpSpec> = {}): AcpSpec {
  return {
    name: 'acp:fake',
    adapter: 'acp',
    command: process.execPath,
    args: ['--import', tsx, fakeMain, behaviour],
    env: {},
    passEnv: [],
    pool: testPool(),
    capabilities: ['execute'],
    ...overrides,
  };
}

function setUp(
  behaviour = 'normal',
  options: AcpAgentOptions = {},
  overrides: Partial<AcpSpec> = {},
  clock: Clock = systemClock,
) {
  const root = tempDir('ai-collab-acp-');
  const workspace = join(root, 'ws');
  mkdirSync(workspace);
  const registry = new MemoryProcessRegistry();
  const deps: AgentDeps = {
    clock,
    logger: silentLogger,
    environment: { PATH: process.env.PATH ?? '/usr/bin:/bin' },
    maxLogBytes: 1024 * 1024,
    killGraceMs: 500,
    processes: registry,
    workspace,
  };
  const agent = createAcpAgent(specFor(behaviour, overrides), deps, { cancelGraceMs: 500, ...options });
  // On a fake clock, closing (which stops processes on the clock's timers) needs the clock driven.
  test.after(() =>
    clock instanceof FakeClock ? pump(clock, Promise.resolve(agent.close?.())) : agent.close?.(),
  );
  let counter = 0;
  const step = (prompt: string, cwd = workspace, action?: StepAction) => {
    counter++;
    const parts: AgentStreamPart[] = [];
    const processes: ProcessStartRecord[] = [];
    const controller = new AbortController();
    const task: AgentTask = {
      runId: 'r',
      stepId: `s${counter}`,
      attempt: 1,
      step: {
        id: `s${counter}`,
        label: `s${counter}`,
        agent: 'acp:fake',
        needs: [],
        retries: 0,
        backoff: defaultBackoff,
        prompt,
        ...(action && { action }),
      },
      workspace: cwd,
      logFile: join(root, 'logs', `s${counter}.log`),
      signal: controller.signal,
      onProcessStarted: (record) => processes.push(record),
      onEvent: (part) => parts.push(part),
    };
    return { task, parts, processes, controller, run: (): Promise<AgentResult> => agent.run(task) };
  };
  return { agent, workspace, root, registry, step };
}

function failureOf(result: AgentResult) {
  if (result.ok) assert.fail(`expected a failure: ${JSON.stringify(result)}`);
  return result.failure;
}

test('a step: fresh session, streamed answer, usage, transcript; the next step reuses the process', async () => {
  const { step, registry } = setUp();
  const one = step('hello');
  const result = await one.run();
  assert.deepEqual(result, {
    ok: true,
    output: 'working on hello. done.',
    sessionId: 'sess-1',
    usage: { inputTokens: 11, outputTokens: 7 },
  });
  assert.deepEqual(
    one.parts.map((part) => part.type),
    ['session-start', 'text-delta', 'text-delta'],
  );
  assert.equal(registry.list().length, 1, 'the pooled process is registered for orphan reaping');
  assert.match(registry.list()[0]?.tag ?? '', /^AI_COLLAB_POOL_TAG=\d+\.\d+\/acp:fake\/\d+$/);
  const transcript = readFileSync(one.task.logFile, 'utf8');
  assert.match(transcript, /^>> .*"method":"session\/new"/m);
  assert.match(transcript, /"stopReason":"end_turn"/);
  const two = step('again');
  assert.equal((await two.run()).ok, true);
  assert.equal(two.processes[0]?.pid, one.processes[0]?.pid);
});

test('edits inside the step directory are allowed once and written through fs; outside ones are refused', async () => {
  const { step, workspace, root } = setUp();
  const inside = join(workspace, 'made.txt');
  const outside = join(root, 'outside.txt');
  const write = step(`WRITE ${inside} ${outside}`);
  const result = await write.run();
  assert.equal(result.ok, true, JSON.stringify(result));
  assert.equal(readFileSync(inside, 'utf8'), `in ${workspace}\n`);
  assert.equal(existsSync(outside), false);
  assert.ok(result.ok);
  assert.deepEqual(result.filesChanged, ['made.txt']);
  assert.ok(write.parts.some((part) => part.type === 'warning' && /outside/.test(part.message)));
  assert.match(
    readFileSync(write.task.logFile, 'utf8'),
    />> .*"optionId":"once"/,
    'allow_once, never allow_always',
  );
});

test('read, analyze and validate steps write nothing: permission asked or not, through fs or on its own', async () => {
  const { step, workspace } = setUp('claude-modes');
  const cases = [
    ['read', 'WRITE', 'asked.txt'],
    ['analyze', 'FS-WRITE', 'through-fs.txt'],
    ['validate', 'BYPASS-WRITE', 'on-its-own.txt'],
  ] as const;
  for (const [action, how, name] of cases) {
    const result = await step(`${how} ${join(workspace, name)}`, workspace, action).run();
    assert.equal(result.ok, true, JSON.stringify(result));
    assert.equal(existsSync(join(workspace, name)), false, `a ${action} step wrote ${name} (${how})`);
  }
  // The same agent writes in a step that may: the refusals above were the read-only steps'.
  const wrote = await step(`BYPASS-WRITE ${join(workspace, 'written.txt')}`, workspace, 'write').run();
  assert.equal(wrote.ok, true, JSON.stringify(wrote));
  assert.equal(readFileSync(join(workspace, 'written.txt'), 'utf8'), 'bypassed\n');
});

test('abort: session/cancel; an agent that confirms keeps its process', async () => {
  const { step } = setUp();
  const slow = step('SLOW');
  const running = slow.run();
  await waitFor(() => slow.parts.some((part) => part.type === 'text-delta'), 'the turn to start');
  slow.controller.abort();
  assert.equal(failureOf(await running).code, 'ABORTED');
  const after = step('after');
  assert.equal((await after.run()).ok, true);
  assert.equal(after.processes[0]?.pid, slow.processes[0]?.pid);
});

test('abort: an agent that ignores session/cancel is retired with its whole tree after the grace', async () => {
  // Timers on a fake clock: the step can return only when the grace has passed in virtual time.
  const clock = new FakeClock();
  const { step } = setUp('normal', { cancelGraceMs: 700 }, {}, clock);
  const stuck = step('IGNORE-CANCEL');
  let returned = false;
  const running = stuck.run().finally(() => {
    returned = true;
  });
  await waitFor(() => stuck.parts.some((part) => part.type === 'text-delta'), 'the turn to start');
  const pid = stuck.processes[0]?.pid ?? assert.fail('no process');
  await waitFor(() => treeOf(pid).length >= 2, 'the agent to start its child');
  const tree = treeOf(pid);
  stuck.controller.abort();
  await waitFor(() => clock.pendingDelays().includes(700), 'the cancel grace to start');
  assert.equal(returned, false, 'the step returned before the grace, with the agent still in its turn');
  // The agent never ends its turn: passing the grace, and nothing else, ends the step.
  assert.equal(failureOf(await pump(clock, running)).code, 'ABORTED');
  await waitFor(() => tree.every((member) => !isAlive(member)), 'the process tree to be gone', 5_000);
  const next = step('hello');
  assert.equal((await pump(clock, next.run())).ok, true);
  assert.notEqual(next.processes[0]?.pid, pid, 'a new process serves the next step');
});

test('a crash mid-turn is a transient AGENT_CRASHED carrying the agent’s last words', async () => {
  const { step } = setUp();
  const failure = failureOf(await step('CRASH').run());
  assert.equal(`${failure.code}/${failure.kind}`, 'AGENT_CRASHED/transient');
  assert.match(failure.message, /exited with code 3/);
  assert.match(failure.message, /segmentation fault/);
});

test('start failures reach the waiting step at once: a missing command, an agent that exits', async () => {
  // On a fake clock that never moves, a step that waited for the pool's crash backoff would never return.
  const clock = new FakeClock();
  const missing = setUp('normal', {}, { command: '/nonexistent/acp-agent' }, clock);
  const spawnFailure = failureOf(await missing.step('x').run());
  assert.equal(`${spawnFailure.code}/${spawnFailure.kind}`, 'SPAWN_FAILED/permanent');
  const broken = setUp('exit-at-start', {}, {}, clock);
  const crash = failureOf(await broken.step('x').run());
  assert.equal(crash.code, 'AGENT_CRASHED');
  assert.match(
    crash.message,
    /exited with code 7 before answering ACP initialize: fake agent: configuration is broken/,
  );
});

test('authentication: a configured method is used when the agent asks; otherwise a permanent AUTH_FAILED', async () => {
  const configured = setUp('needs-auth', { authMethodId: 'fake-key' });
  assert.equal((await configured.step('hi').run()).ok, true);
  const unconfigured = setUp('needs-auth');
  const failure = failureOf(await unconfigured.step('hi').run());
  assert.equal(`${failure.code}/${failure.kind}`, 'AUTH_FAILED/permanent');
});

test('sessionsPerProcess 2: two concurrent steps share one process, in different directories', async () => {
  const { step, root } = setUp('normal', { sessionsPerProcess: 2 });
  const other = join(root, 'other');
  mkdirSync(other);
  const a = step('WAIT 300');
  const b = step('WAIT 300', other);
  const [resultA, resultB] = await Promise.all([a.run(), b.run()]);
  assert.equal(resultA.ok && resultB.ok, true);
  assert.equal(a.processes[0]?.pid, b.processes[0]?.pid);
});
