import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import Database from 'better-sqlite3';
import type { RunReport } from '../../src/cli/run-report.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { isAlive, runCli } from '../support/cli.js';
import {
  httpError,
  type ModelServer,
  startModelServer,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { claudeConfigYaml } from './claude-harness.js';

// The real Claude Code CLI, driven through `ai-collab run` and the claude adapter, against the scripted model:
// what a run makes of the adapter. What every adapter keeps (classification, usage, timeouts, the pool) is
// the contract suite's (adapter-contract.test.ts).
const skip = agentCliMissing('claude');

let server: ModelServer;
let workspace: string;

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
      return text(`answer: ${prompt.slice(-30)}`);
    },
  });
});

after(async () => {
  await server?.close();
});

function claudeWorkspace(plan: string): string {
  workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 1s\nagents:\n${claudeConfigYaml(server.url, { pool: '{ size: 2, prewarm: 2 }' })}`,
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

// The contract suite classifies 500, 401 and 429 on the agent; this is what a run makes of them: a
// permanent failure is not retried, and a 400 (which the suite does not send) is permanent too.
test('through a run: an auth failure and a bad request are permanent, not retried, and say why', {
  skip,
}, async () => {
  const directory = claudeWorkspace(`steps:
  - { id: auth, agent: claude, retries: 3, prompt: "AUTH-FAIL" }
  - { id: bad, agent: claude, retries: 3, prompt: "BAD-REQUEST" }
`);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: directory });
  assert.equal(result.code, 1);
  const report = JSON.parse(result.stdout) as RunReport;
  const byId = Object.fromEntries(report.steps.map((step) => [step.id, step]));
  assert.equal(byId.auth?.attempts, 1, 'an authentication failure is permanent: not retried');
  assert.match(byId.auth?.error ?? '', /invalid api key/i);
  assert.equal(byId.bad?.attempts, 1, 'a bad request is permanent');
  assert.match(byId.bad?.error ?? '', /400|prompt is too long/i);
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
  assert.deepEqual(codes, { auth: 'AUTH_FAILED/permanent', bad: 'MODEL_ERROR/permanent' });
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
