import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { agentCliBinaries, agentCliMissing } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import { type ModelServer, startModelServer } from '../support/model-server/index.js';
import { claudeEnvironment, claudeModel, createFileScript } from './claude-harness.js';
import { openCluster, planFile, redisMissing, redisUrl } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

// The real Claude Code CLI on one worker of three, against the scripted model server; the coordinator has
// no claude at all. Two workers have no claude CLI: they never take its jobs.
const skip = agentCliMissing('claude') || (await redisMissing());

let server: ModelServer;
/** Working directories claude reported to the model. */
const directories: string[] = [];

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: createFileScript((directory) => directories.push(directory)),
  });
});

after(async () => {
  await server?.close();
});

const runJson = z.object({ runId: z.string(), status: z.string() });
const workersJson = z.object({
  workers: z.array(z.object({ name: z.string(), agents: z.array(z.string()) })),
});

test('a code-changing step runs on the real claude CLI on the one worker that has it, and merges on the coordinator', {
  skip,
  timeout: 300_000,
}, async () => {
  const cluster = openCluster();
  const noClaude = { agents: { claude: { command: '/nonexistent/claude' } } };
  const withClaude = {
    agents: {
      claude: {
        command: agentCliBinaries.claude,
        model: claudeModel,
        env: claudeEnvironment(server.url),
        pool: { size: 1, prewarm: 0 },
      },
    },
  };
  const [first, second, third] = await Promise.all([
    cluster.startWorker('plain-1', { config: noClaude }),
    cluster.startWorker('plain-2', { config: noClaude }),
    cluster.startWorker('claude-box', { config: withClaude }),
  ]);
  const listed = workersJson.parse(
    JSON.parse(
      (await runCli(['workers', '--redis', redisUrl, '--json'], { cwd: third.directory, env: cluster.env() }))
        .stdout,
    ),
  );
  assert.deepEqual(
    listed.workers.map((worker) => [worker.name, worker.agents.includes('claude')]),
    [
      ['claude-box', true],
      ['plain-1', false],
      ['plain-2', false],
    ],
  );
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: claude-on-a-worker
steps:
  - { id: notes, agent: claude, action: write, prompt: "CREATE-FILE notes.txt" }
  - { id: check, agent: shell, needs: [notes], run: "grep -q 'created by notes.txt' notes.txt" }
`);
  // The coordinator's own claude does not exist: everything claude does happens on the worker.
  const result = await cluster.coordinator(['run', plan, '--yes', '--no-review', '--json'], repo, noClaude);
  assert.equal(result.code, 0, result.stderr);
  const run = runJson.parse(JSON.parse(result.stdout));
  assert.equal(fileOnBranch(repo, runBranchName(run.runId), 'notes.txt'), 'created by notes.txt\n');
  assert.equal(directories.length, 1, directories.join(', '));
  assert.ok(
    directories[0]?.startsWith(third.directory),
    `claude worked in the claude worker's checkout: ${directories[0]}`,
  );
  for (const plain of [first, second]) assert.ok(!directories[0]?.startsWith(plain.directory));
});
