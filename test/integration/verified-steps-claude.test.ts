import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { checkStage } from '../../src/engine/check-stage.js';
import { systemClock } from '../../src/support/clock.js';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { workspaceStepHooks } from '../../src/workspace/workspace-step-hooks.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer, text, toolCall } from '../support/model-server/index.js';
import { claudeAgent, workingDirectory } from './claude-harness.js';
import { agentStep, fileOnBranch, gitRepo, planOf, runPlan, workspaceEngine } from './workspace-support.js';

// Steps that prove what they did, with the real Claude Code CLI against the scripted model server: a
// write step whose agent wrote nothing fails as NO_CHANGE and is told so; a failing `check:` sends its
// output to the next attempt. What the model server saw is what the agent was told.
const skip = agentCliMissing('claude');

let server: ModelServer;
/** Every prompt the model was given (the user's text of each conversation turn). */
const prompts: string[] = [];

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => {
      if (request.pendingToolResults.length > 0) return text('Done. DONE');
      const prompt = request.lastUserText;
      prompts.push(prompt);
      const cwd = workingDirectory(request);
      if (!cwd) return text('no working directory in the system prompt');
      // Writes only once told that the last attempt changed nothing.
      const lazy = /LAZY-WRITE (\S+)/.exec(prompt)?.[1];
      if (lazy) {
        if (!prompt.includes('finished without changing')) return text('All done, nothing needed. DONE');
        return toolCall('Write', { file_path: join(cwd, lazy), content: 'written on the second try\n' });
      }
      // Writes the file the check asks for only once the check's output says which.
      if (prompt.includes('CHECKED-TASK')) {
        const missing = /MISSING (\S+)/.exec(prompt)?.[1];
        return toolCall('Write', {
          file_path: join(cwd, missing ?? 'first-try.txt'),
          content: `${missing ?? 'a first try'}\n`,
        });
      }
      return text('nothing to do');
    },
  });
});

after(async () => {
  await server?.close();
});

function failuresOf(setup: ReturnType<typeof workspaceEngine>, runId: string, stepId: string) {
  return [...setup.store.readEvents(runId)]
    .filter((event) => event.type === 'step.attempt-failed')
    .map(
      (event) =>
        event.data as { stepId: string; error: { code: string; message: string }; feedback?: string },
    )
    .filter((data) => data.stepId === stepId);
}

test('a write step whose agent wrote nothing fails as NO_CHANGE, is told so, and succeeds when it writes', {
  skip,
  timeout: 180_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const setup = workspaceEngine(repo, { agents: [claudeAgent(server.url, repo)] });
  try {
    const { runId, state } = await runPlan(
      setup,
      repo,
      planOf([
        agentStep('lazy', 'claude', {
          action: 'write',
          target: 'notes.txt',
          prompt: 'LAZY-WRITE notes.txt',
          retries: 2,
        }),
      ]),
    );
    assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
    assert.equal(state.steps.lazy?.attempts, 2);
    const [failure] = failuresOf(setup, runId, 'lazy');
    assert.equal(failure?.error.code, 'NO_CHANGE');
    assert.match(failure?.error.message ?? '', /notes\.txt is unchanged/);
    const second = prompts.filter((prompt) => prompt.includes('LAZY-WRITE')).at(-1) ?? '';
    assert.match(
      second,
      /finished without changing notes\.txt/,
      'the second attempt was told what was wrong',
    );
    assert.equal(fileOnBranch(repo, runBranchName(runId), 'notes.txt'), 'written on the second try\n');
  } finally {
    await setup.close();
  }
});

test("a failing check fails the attempt, and the check's output is in the next attempt's prompt", {
  skip,
  timeout: 180_000,
}, async () => {
  const repo = gitRepo({ 'README.md': 'project\n' });
  const check = 'test -f wanted.txt || { echo "MISSING wanted.txt (the check looks for it)"; exit 3; }';
  const setup = workspaceEngine(repo, {
    agents: [claudeAgent(server.url, repo)],
    wrap: (hooks) =>
      workspaceStepHooks(hooks, [
        checkStage({
          clock: systemClock,
          sourceEnvironment: process.env,
          maxLogBytes: 1_000_000,
          killGraceMs: 500,
        }),
      ]),
  });
  try {
    const { runId, state } = await runPlan(
      setup,
      repo,
      planOf([agentStep('checked', 'claude', { prompt: 'CHECKED-TASK', check, retries: 2 })]),
    );
    assert.equal(state.status, 'succeeded', JSON.stringify(state.steps, null, 1));
    assert.equal(state.steps.checked?.attempts, 2);
    const [failure] = failuresOf(setup, runId, 'checked');
    assert.equal(failure?.error.code, 'CHECK_FAILED');
    assert.match(failure?.error.message ?? '', /exited with code 3: MISSING wanted\.txt/);
    const second = prompts.filter((prompt) => prompt.includes('CHECKED-TASK')).at(-1) ?? '';
    assert.match(
      second,
      /MISSING wanted\.txt \(the check looks for it\)/,
      "the check's output reached the model",
    );
    assert.equal(state.steps.checked?.stageDetail?.check?.exitCode, '0');
    assert.equal(fileOnBranch(repo, runBranchName(runId), 'wanted.txt'), 'wanted.txt\n');
  } finally {
    await setup.close();
  }
});
