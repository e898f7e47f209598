import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunReport } from '../../src/cli/run-report.js';
import { agentCliBinaries, agentCliMissing, testApiKey } from '../support/agent-cli-env.js';
import { isAlive, runCli, waitFor } from '../support/cli.js';
import {
  httpError,
  type ModelServer,
  startModelServer,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

// The real Claude Code CLI, driven through `ai-collab run` and the claude adapter, against the scripted model.
const skip = agentCliMissing('claude');

let server: ModelServer;
let workspace: string;
let resetCalls = 0;

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => {
      const prompt = request.lastUserText;
      if (request.pendingToolResults.length > 0) return text('Wrote the file. DONE-MARKER');
      if (prompt.includes('CREATE-FILE')) {
        const name = /CREATE-FILE (\S+)/.exec(prompt)?.[1] ?? 'x.txt';
        return toolCall('Write', { file_path: join(workspace, name), content: `created for ${name}\n` });
      }
      if (prompt.includes('AUTH-FAIL')) return httpError(401, { message: 'invalid x-api-key' });
      if (prompt.includes('BAD-REQUEST')) return httpError(400, { message: 'prompt is too long' });
      if (prompt.includes('SERVER-ERROR')) return httpError(500);
      if (prompt.includes('RATE-LIMIT')) return httpError(429, { retryAfter: '1' });
      if (prompt.includes('RESET-3'))
        return resetCalls++ < 2 ? httpError(429, { retryAfter: '3' }) : text('after the reset');
      if (prompt.includes('SLOW')) return text('too late', { delayMs: 60_000 });
      return text(`answer: ${prompt.slice(-30)}`);
    },
  });
});

after(async () => {
  await server?.close();
});

function claudeWorkspace(plan: string, extra = ''): string {
  workspace = tempDir();
  const home = tempDir('ai-collab-claude-home-');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 1s
agents:
  claude:
    command: ${agentCliBinaries.claude}
    model: claude-sonnet-4-5
    env:
      ANTHROPIC_BASE_URL: ${server.url}
      ANTHROPIC_API_KEY: ${testApiKey}
      HOME: ${home}
      DISABLE_AUTOUPDATER: "1"
      DISABLE_TELEMETRY: "1"
      CLAUDE_CODE_MAX_RETRIES: "1"
    pool: { size: 2, prewarm: 2 }
${extra}`,
  );
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  return workspace;
}

function recordedPids(directory: string): number[] {
  const db = new Database(join(directory, '.ai-collab', 'state.db'), { readonly: true });
  const rows = db.prepare("SELECT data FROM events WHERE type = 'step.process-started'").all() as Array<{
    data: string;
  }>;
  db.close();
  return rows.map((row) => (JSON.parse(row.data) as { process: { pid: number } }).process.pid);
}

test('a plan step makes the real claude CLI create a file, in parallel with another, on warm pooled processes', {
  skip,
}, async () => {
  const directory = claudeWorkspace(`concurrency: 2
steps:
  - { id: one, agent: claude, action: write, prompt: "CREATE-FILE one.txt" }
  - { id: two, agent: claude, action: write, prompt: "CREATE-FILE two.txt" }
  - { id: three, agent: claude, action: write, prompt: "CREATE-FILE three.txt", needs: [one] }
`);
  // The adapter is under test, not the swarm: claude reviewing its own steps would add processes.
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: directory });
  assert.equal(result.code, 0, result.stderr);
  for (const name of ['one.txt', 'two.txt', 'three.txt']) {
    assert.equal(readFileSync(join(directory, name), 'utf8'), `created for ${name}\n`);
  }
  const status = JSON.parse(
    (await runCli(['status', (JSON.parse(result.stdout) as RunReport).runId, '--json'], { cwd: directory }))
      .stdout,
  ) as RunReport;
  assert.deepEqual(
    status.steps.map((step) => step.status),
    ['succeeded', 'succeeded', 'succeeded'],
  );
  const db = new Database(join(directory, '.ai-collab', 'state.db'), { readonly: true });
  const succeeded = db.prepare("SELECT data FROM events WHERE type = 'step.succeeded'").all() as Array<{
    data: string;
  }>;
  db.close();
  const outputs = succeeded.map(
    (row) =>
      JSON.parse(row.data) as {
        output?: string;
        usage?: { outputTokens: number };
        filesChanged?: string[];
        sessionId?: string;
      },
  );
  for (const output of outputs) {
    assert.equal(output.output, 'Wrote the file. DONE-MARKER');
    assert.ok((output.usage?.outputTokens ?? 0) > 0, 'usage reported');
    assert.match(output.sessionId ?? '', /^[0-9a-f-]{36}$/);
  }
  assert.deepEqual(outputs.map((output) => output.filesChanged?.[0]).sort(), [
    'one.txt',
    'three.txt',
    'two.txt',
  ]);
  const pids = recordedPids(directory);
  assert.equal(pids.length, 3);
  // Reuse, not a spawn per step: the three steps ran on at most the pool's two warm processes (one alone
  // when step `one` was done before `two` was handed a process, since the pool prefers the one just used).
  assert.ok(new Set(pids).size <= 2, `three steps ran on the pool's warm processes (${pids})`);
  for (const pid of pids) assert.equal(isAlive(pid), false, 'the pool is closed when the run ends');
});

test('model errors surface as classified failures', { skip }, async () => {
  const directory = claudeWorkspace(`steps:
  - { id: auth, agent: claude, retries: 3, prompt: "AUTH-FAIL" }
  - { id: bad, agent: claude, retries: 3, prompt: "BAD-REQUEST" }
  - { id: busy, agent: claude, retries: 0, prompt: "SERVER-ERROR" }
  - { id: limited, agent: claude, retries: 0, prompt: "RATE-LIMIT" }
`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: directory });
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as RunReport;
  const byId = Object.fromEntries(report.steps.map((step) => [step.id, step]));
  assert.equal(byId.auth?.attempts, 1, 'an authentication failure is permanent: not retried');
  assert.match(byId.auth?.error ?? '', /invalid api key/i);
  assert.equal(byId.bad?.attempts, 1, 'a bad request is permanent');
  assert.match(byId.bad?.error ?? '', /400|prompt is too long/i);
  assert.match(byId.busy?.error ?? '', /500|API Error/);
  assert.match(byId.limited?.error ?? '', /429|rate/i);
  const db = new Database(join(directory, '.ai-collab', 'state.db'), { readonly: true });
  const failures = db.prepare("SELECT data FROM events WHERE type = 'step.failed'").all() as Array<{
    data: string;
  }>;
  db.close();
  const codes = Object.fromEntries(
    failures
      .map((row) => JSON.parse(row.data) as { stepId: string; error: { code: string; kind: string } })
      .map((data) => [data.stepId, `${data.error.code}/${data.error.kind}`]),
  );
  assert.deepEqual(codes, {
    auth: 'AUTH_FAILED/permanent',
    bad: 'MODEL_ERROR/permanent',
    busy: 'MODEL_ERROR/transient',
    limited: 'RATE_LIMITED/transient',
  });
});

test('a rate-limited step is retried no earlier than the reset the provider announced (retry-after: 3)', {
  skip,
}, async () => {
  // claude retries once itself (CLAUDE_CODE_MAX_RETRIES 1), waiting the 3 s it was told, and reports the
  // wait; the second 429 ends its turn. The engine's retry must wait as long, not its 10 ms backoff.
  const directory = claudeWorkspace(`steps:
  - { id: limited, agent: claude, retries: 1, backoff: { initial: 10ms, max: 10ms }, prompt: "RESET-3" }
`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: directory });
  assert.equal(result.code, 0, result.stderr);
  const times = server.requests
    .filter(
      (request) =>
        request.model && !request.model.auxiliary && request.model.lastUserText.includes('RESET-3'),
    )
    .map((request) => request.receivedAt);
  assert.equal(times.length, 3, `requests at ${times.join(', ')}`);
  const [, second = 0, third = 0] = times;
  assert.ok(third - second >= 3_000, `the engine retried ${third - second} ms after the 429 that said 3 s`);
});

test('read, analyze and validate steps cannot write: claude runs them in plan mode', { skip }, async () => {
  const directory = claudeWorkspace(`steps:
  - { id: look, agent: claude, action: read, prompt: "CREATE-FILE read.txt" }
  - { id: think, agent: claude, action: analyze, prompt: "CREATE-FILE analyze.txt" }
  - { id: check, agent: claude, action: validate, prompt: "CREATE-FILE validate.txt" }
  - { id: make, agent: claude, action: write, prompt: "CREATE-FILE write.txt" }
`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-isolation', '--no-review'], {
    cwd: directory,
  });
  assert.equal(result.code, 0, result.stderr + result.stdout);
  for (const name of ['read.txt', 'analyze.txt', 'validate.txt'])
    assert.equal(existsSync(join(directory, name)), false, `${name} was written by a read-only step`);
  assert.equal(readFileSync(join(directory, 'write.txt'), 'utf8'), 'created for write.txt\n');
});

test('a step timeout stops the real claude process and leaves nothing behind', { skip }, async () => {
  const directory = claudeWorkspace(`steps:
  - { id: slow, agent: claude, timeout: 10s, retries: 0, prompt: "SLOW" }
`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: directory });
  assert.equal(result.code, 1);
  assert.match((JSON.parse(result.stdout) as RunReport).steps[0]?.error ?? '', /timed out after 10000ms/);
  const pids = recordedPids(directory);
  assert.equal(pids.length, 1);
  await waitFor(() => pids.every((pid) => !isAlive(pid)), 'the claude process to be gone', 5_000);
  // Stopped mid-turn: the model call it was waiting on was dropped, never answered.
  const slowCall = server.requests.find((request) => request.model?.lastUserText.includes('SLOW'));
  assert.ok(slowCall, 'claude asked the model');
  await waitFor(() => slowCall.abandonedAt !== undefined, 'the killed claude to drop its model call', 5_000);
  assert.equal(slowCall.answeredAt, undefined);
});
