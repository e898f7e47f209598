import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AgentResult, ProcessStartRecord } from '../../../../src/agents/agent.js';
import { baseEnvironmentPolicy, mergePolicies } from '../../../../src/agents/process/child-environment.js';
import { createShellAgent } from '../../../../src/agents/shell/shell-agent.js';
import type { StepDefinition } from '../../../../src/protocol/plan-types.js';
import { systemClock } from '../../../../src/support/clock.js';
import { isAlive, waitFor } from '../../../support/cli.js';
import { tempDir } from '../../../support/temp-dir.js';
import { planOf } from '../../../support/test-engine.js';

// The shell agent through its public interface only (run a task, read the result): real `sh` processes.

const agent = createShellAgent({
  clock: systemClock,
  environment: mergePolicies(baseEnvironmentPolicy, { names: ['SHELL_TEST_PASSED'], prefixes: [] }),
  sourceEnvironment: {
    PATH: process.env.PATH,
    SHELL_TEST_PASSED: 'from the orchestrator',
    SHELL_TEST_SECRET: 'must not leak',
  },
  maxLogBytes: 64 * 1024,
  killGraceMs: 500,
  drainMs: 500,
  extraEnvironment: { FROM_AGENT: 'agent value', OVERRIDDEN: 'by the agent' },
});

function stepOf(fields: Partial<StepDefinition>): StepDefinition {
  const [step] = planOf([{ id: 'build', agent: 'shell', ...fields }]).steps;
  assert.ok(step);
  return step;
}

let runs = 0;

function run(fields: Partial<StepDefinition>, signal = new AbortController().signal) {
  const workspace = tempDir('shell-agent-');
  const started: ProcessStartRecord[] = [];
  // Each run its own id: a step's processes are found (and stopped) by a tag made of these ids.
  const runId = `shell-test-${process.pid}-${++runs}`;
  const result: Promise<AgentResult> = agent.run({
    runId,
    stepId: 'build',
    attempt: 3,
    step: stepOf(fields),
    workspace,
    logFile: join(workspace, 'build.log'),
    signal,
    onProcessStarted: (record) => started.push(record),
  });
  return { workspace, started, result };
}

test('a command that exits 0 succeeds with its output, runs in the workspace and logs what it printed', async () => {
  const { workspace, started, result } = run({ run: 'echo hello > made.txt && pwd && echo done' });
  const outcome = await result;
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.match(outcome.output, new RegExp(`${workspace}\\ndone`));
  assert.equal(readFileSync(join(workspace, 'made.txt'), 'utf8'), 'hello\n');
  assert.equal(started.length, 1, 'its process was reported before it ran');
  assert.ok((started[0]?.pid ?? 0) > 0);
  assert.match(readFileSync(join(workspace, 'build.log'), 'utf8'), /done/);
});

test('a command that prints nothing leaves no log file; it sees $0 and no arguments, as with sh -c', async () => {
  const silent = run({ run: 'true' });
  assert.ok((await silent.result).ok);
  assert.equal(
    existsSync(join(silent.workspace, 'build.log')),
    false,
    'no file for a step that printed nothing',
  );
  const { result } = run({ run: 'echo "$0 $# [$1]"' });
  const outcome = await result;
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(outcome.output, '/bin/sh 0 []\n');
});

test('a non-zero exit is a transient failure naming the code and the last line printed', async () => {
  const { result } = run({ run: 'echo compiling; echo "error: missing semicolon" >&2; exit 3' });
  const outcome = await result;
  assert.ok(!outcome.ok);
  assert.equal(outcome.failure.code, 'EXIT_CODE');
  assert.equal(outcome.failure.kind, 'transient');
  assert.equal(outcome.failure.exitCode, 3);
  assert.equal(outcome.failure.message, 'exit code 3: error: missing semicolon');
});

test('a command killed by a signal says so', async () => {
  const outcome = await run({ run: 'kill -TERM $$' }).result;
  assert.ok(!outcome.ok);
  assert.equal(outcome.failure.code, 'KILLED_BY_SIGNAL');
  assert.equal(outcome.failure.signal, 'SIGTERM');
  assert.match(outcome.failure.message, /^killed by SIGTERM/);
});

test('the step sees its ids and env, the agent’s env under it, and only the allowed orchestrator variables', async () => {
  const { result } = run({
    run: 'echo "$AI_COLLAB_RUN_ID/$AI_COLLAB_STEP_ID/$AI_COLLAB_ATTEMPT|$STEP_VALUE|$FROM_AGENT|$OVERRIDDEN|$SHELL_TEST_PASSED|$(printenv SHELL_TEST_SECRET || echo absent)"',
    env: { STEP_VALUE: 'step value', OVERRIDDEN: 'by the step' },
  });
  const outcome = await result;
  assert.ok(outcome.ok, JSON.stringify(outcome));
  assert.equal(
    outcome.output.trim().replace(/^shell-test-\d+-\d+/, 'RUN'),
    'RUN/build/3|step value|agent value|by the step|from the orchestrator|absent',
  );
});

test('aborting the step stops its command and everything it started', async () => {
  const controller = new AbortController();
  const { workspace, started, result } = run(
    { run: 'sleep 300 & echo $! > child.pid; echo started; wait' },
    controller.signal,
  );
  await waitFor(
    () =>
      existsSync(join(workspace, 'child.pid')) &&
      readFileSync(join(workspace, 'child.pid'), 'utf8').endsWith('\n'),
    'the command to start its child',
  );
  const child = Number(readFileSync(join(workspace, 'child.pid'), 'utf8'));
  controller.abort();
  const outcome = await result;
  assert.ok(!outcome.ok);
  assert.equal(outcome.failure.code, 'ABORTED', outcome.failure.message);
  assert.equal(outcome.failure.kind, 'transient');
  await waitFor(
    () => !isAlive(child) && !isAlive(started[0]?.pid ?? 0),
    'the command and its child to be gone',
  );
});

test('a step without run: fails for good; a command that cannot start fails for good', async () => {
  const missing = await run({}).result;
  assert.ok(!missing.ok);
  assert.deepEqual([missing.failure.code, missing.failure.kind], ['INTERNAL', 'permanent']);
  const outcome = await agent.run({
    runId: 'run-1',
    stepId: 'build',
    attempt: 1,
    step: stepOf({ run: 'true' }),
    workspace: join(tempDir('shell-agent-'), 'does-not-exist'),
    logFile: join(tempDir('shell-agent-'), 'build.log'),
    signal: new AbortController().signal,
    onProcessStarted: () => undefined,
  });
  assert.ok(!outcome.ok);
  assert.deepEqual([outcome.failure.code, outcome.failure.kind], ['SPAWN_FAILED', 'permanent']);
});
