import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { fixturesDir, isAlive, readJsonFile, runCli, startCli, waitFor } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const fakeClaude = join(fixturesDir, 'agents', 'fake-claude.mjs');

/** A workspace whose `fake` agent is the fake Claude Code CLI, driven through the real claude adapter and pool. */
function workspaceWith(plan: string, agentExtra = '', top = ''): string {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 500ms
${top}agents:
  fake:
    adapter: claude
    command: ${fakeClaude}
    env: { ANTHROPIC_API_KEY: sk-fake }
    pool: { size: 2, prewarm: 1 }
${agentExtra}`,
  );
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  return workspace;
}

/** Removes the default pool line so a test's own `pool:` applies. */
function dropDefaultPool(workspace: string): void {
  const file = join(workspace, 'ai-collab.config.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace('    pool: { size: 2, prewarm: 1 }\n', ''));
}

async function run(workspace: string): Promise<{ code: number | null; report: RunReport; stderr: string }> {
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.ok(result.stdout.trim() !== '', `no JSON report; stderr:\n${result.stderr}`);
  return { code: result.code, report: JSON.parse(result.stdout) as RunReport, stderr: result.stderr };
}

function pidsOf(workspace: string, runId: string): Map<string, number[]> {
  const statusFile = join(workspace, '.ai-collab', 'state.db');
  assert.ok(existsSync(statusFile));
  const pids = new Map<string, number[]>();
  const logs = join(workspace, '.ai-collab', 'runs', runId, 'logs');
  for (const name of readdirSync(logs)) {
    const text = readFileSync(join(logs, name), 'utf8');
    const session = /"session_id":"fake-session-(\d+)"/.exec(text)?.[1];
    const step = name.slice(0, name.indexOf('.'));
    if (session) pids.set(step, [...(pids.get(step) ?? []), Number(session)]);
  }
  return pids;
}

test('steps run on a warm pooled process that is reused, and the agent writes files through its tools', async () => {
  const workspace = workspaceWith(
    `concurrency: 1
steps:
  - { id: first, agent: fake, prompt: "FAKE:write first.txt hello from the pool" }
  - { id: second, agent: fake, prompt: "FAKE:reply second done", needs: [first] }
`,
    '    pool: { size: 1, prewarm: 1 }\n',
  );
  dropDefaultPool(workspace);
  const { code, report } = await run(workspace);
  assert.equal(code, 0);
  assert.equal(readFileSync(join(workspace, 'first.txt'), 'utf8'), 'hello from the pool');
  const pids = pidsOf(workspace, report.runId);
  assert.deepEqual(pids.get('first'), pids.get('second'), 'the same warm process served both steps');
  const status = JSON.parse(
    (await runCli(['status', report.runId, '--json'], { cwd: workspace })).stdout,
  ) as RunReport;
  assert.equal(
    status.steps.every((step) => step.status === 'succeeded'),
    true,
  );
});

test('an agent that crashes mid-step fails the attempt, and the retry runs on a fresh process', async () => {
  const workspace = workspaceWith(`steps:
  - { id: flaky, agent: fake, retries: 1, backoff: { initial: 10ms, max: 10ms }, prompt: "FAKE:crash-once crashed.marker" }
`);
  const { code, report, stderr } = await run(workspace);
  assert.equal(code, 0, stderr);
  assert.equal(report.steps[0]?.attempts, 2);
  assert.match(stderr, /attempt 1 failed: claude exited with code 3 during the step/);
  const pids = pidsOf(workspace, report.runId).get('flaky') ?? [];
  assert.equal(new Set(pids).size, 2, 'two different processes');
});

test('a hung agent is stopped by the step timeout, and nothing of it survives', async () => {
  const workspace = workspaceWith(`steps:
  - { id: stuck, agent: fake, timeout: 1s, retries: 0, prompt: "FAKE:hang-ignore-term" }
`);
  // The fake never answers and ignores SIGTERM: the run ending at all, on the timeout, with the agent gone,
  // is the kill.
  const { code, report } = await run(workspace);
  assert.equal(code, 1);
  assert.match(report.steps[0]?.error ?? '', /timed out after 1000ms/);
  const pid = pidsOf(workspace, report.runId).get('stuck')?.[0] ?? 0;
  assert.ok(pid > 0);
  assert.equal(isAlive(pid), false, 'the process that ignored SIGTERM was killed');
});

test('a timeout stops the agent’s whole tree, including a child in its own session and one that ignores SIGTERM', async () => {
  const workspace = workspaceWith(
    `steps:
  - { id: tree, agent: fake, timeout: 1500ms, prompt: "FAKE:tree PIDS" }
`.replace('PIDS', 'tree.json'),
  );
  const { code } = await run(workspace);
  assert.equal(code, 1);
  const pids = readJsonFile<Record<string, number>>(join(workspace, 'tree.json'));
  assert.ok(pids);
  for (const [role, pid] of Object.entries(pids)) assert.equal(isAlive(pid), false, `${role} survived`);
});

test('an agent that exits while a child holds its stdout ends the step at once, and the child is stopped', async () => {
  const workspace = workspaceWith(`steps:
  - { id: leaver, agent: fake, prompt: "FAKE:exit-holding-stdout held.pid" }
`);
  // The child holding stdout runs forever, so the step ending at all means it did not wait for that stdout.
  const { code, report } = await run(workspace);
  assert.equal(code, 1);
  assert.match(report.steps[0]?.error ?? '', /claude exited with code 0 during the step/);
  const held = Number(readFileSync(join(workspace, 'held.pid'), 'utf8'));
  await waitFor(() => !isAlive(held), 'the child holding stdout to be stopped', 5_000);
});

test('an agent flooding its output is capped on disk and the step still completes', async () => {
  const workspace = workspaceWith(
    `steps:
  - { id: flood, agent: fake, prompt: "FAKE:flood 40000000" }
`,
    '',
    'maxLogBytes: 1048576\n',
  );
  const { code, report } = await run(workspace);
  assert.equal(code, 0);
  const logs = join(workspace, '.ai-collab', 'runs', report.runId, 'logs');
  const size = statSync(join(logs, readdirSync(logs)[0] as string)).size;
  assert.ok(size < 1_048_576 + 500, `transcript is ${size} bytes`);
});

test('a process growing past its memory limit is stopped, and the step retries on a fresh one', async () => {
  const workspace = workspaceWith(
    `steps:
  - { id: hungry, agent: fake, retries: 1, backoff: { initial: 10ms, max: 10ms }, prompt: "FAKE:grow 400 grew.marker" }
`,
    '    pool: { size: 1, prewarm: 1, maxMemory: 250MB }\n'.replace('    pool', '    pool'),
  );
  const config = readFileSync(join(workspace, 'ai-collab.config.yaml'), 'utf8').replace(
    '    pool: { size: 2, prewarm: 1 }\n',
    '',
  );
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), config);
  const { code, report, stderr } = await run(workspace);
  assert.equal(code, 0, stderr);
  assert.equal(report.steps[0]?.attempts, 2);
  assert.match(stderr, /memory \d+ MB over the limit of 250 MB/);
});

test('an agent that crashes on start is stopped as a crash loop, with the reason', async () => {
  const workspace = workspaceWith(
    `steps:
  - { id: doomed, agent: fake, retries: 8, backoff: { initial: 10ms, max: 50ms }, prompt: "FAKE:reply never" }
`,
    '    args: [--crash-on-start]\n',
  );
  const { code, report } = await run(workspace);
  assert.equal(code, 1);
  assert.match(
    report.steps[0]?.error ?? '',
    /crashed \d+ times within 60s and was stopped .*configured to crash on start/,
  );
});

test('pool processes of a killed orchestrator are stopped by the next one', async () => {
  const workspace = workspaceWith(`steps:
  - { id: long, agent: fake, prompt: "FAKE:hang" }
`);
  const cli = startCli(['run', 'plan.yaml', '--yes'], { cwd: workspace });
  await waitFor(() => /step long started/.test(cli.stderrSoFar()), 'the step to start');
  await waitFor(() => existsSync(join(workspace, '.ai-collab', 'runs')), 'logs');
  const logs = () =>
    join(
      workspace,
      '.ai-collab',
      'runs',
      readdirSync(join(workspace, '.ai-collab', 'runs'))[0] as string,
      'logs',
    );
  await waitFor(
    () =>
      existsSync(logs()) &&
      readdirSync(logs()).length > 0 &&
      /fake-session-\d+/.test(readFileSync(join(logs(), readdirSync(logs())[0] as string), 'utf8')),
    'the agent to answer',
  );
  const pid = Number(
    /fake-session-(\d+)/.exec(readFileSync(join(logs(), readdirSync(logs())[0] as string), 'utf8'))?.[1],
  );
  cli.child.kill('SIGKILL');
  await cli.result;
  assert.equal(isAlive(pid), true, 'the agent process outlived its orchestrator');
  writeFileSync(join(workspace, 'other.yaml'), 'steps:\n  - { id: x, run: "true" }\n');
  const next = await runCli(['run', 'other.yaml', '--yes'], { cwd: workspace });
  assert.equal(next.code, 0, next.stderr);
  assert.equal(isAlive(pid), false, 'reaped by the next orchestrator');
});
