import assert from 'node:assert/strict';
import { dirname } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import { runBranchName } from '../../src/workspace/ref-names.js';
import { agentCliBinaries, agentCliMissing } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import { type ModelServer, startModelServer } from '../support/model-server/index.js';
import { claudeEnvironment, claudeModel, createFileScript } from './claude-harness.js';
import { openCluster, planFile, redisMissing, redisUrl, reportedRun } from './distributed-support.js';
import { fileOnBranch, gitRepo } from './workspace-support.js';

// The real Claude Code CLI on one worker of three (on its PATH), against the scripted model server; the
// coordinator has no claude at all. Two workers have no claude on their PATH: they never take its jobs,
// even while they are idle and claude steps wait.
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

const workersJson = z.object({
  workers: z.array(z.object({ name: z.string(), agents: z.array(z.string()) })),
});

test('code-changing steps run on the real claude CLI only on the one worker that has it on PATH, and merge on the coordinator', {
  skip,
  timeout: 300_000,
}, async () => {
  const cluster = openCluster();
  const noClaude = { agents: { claude: { command: '/nonexistent/claude' } } };
  // The CLI's folder first on PATH (claude's default command is `claude`); the machine's PATH has none.
  const claudeOnPath = { PATH: `${dirname(agentCliBinaries.claude)}:${process.env.PATH ?? ''}` };
  const withClaude = {
    agents: {
      claude: {
        model: claudeModel,
        env: claudeEnvironment(server.url),
        pool: { size: 1, prewarm: 0 },
      },
    },
  };
  const [first, second, third] = await Promise.all([
    cluster.startWorker('plain-1', { config: withClaude }),
    cluster.startWorker('plain-2', { config: withClaude }),
    cluster.startWorker('claude-box', { config: withClaude, env: claudeOnPath }),
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
concurrency: 3
steps:
  - { id: notes, agent: claude, action: write, prompt: "CREATE-FILE notes.txt" }
  - { id: todo, agent: claude, action: write, prompt: "CREATE-FILE todo.txt" }
  - { id: ideas, agent: claude, action: write, prompt: "CREATE-FILE ideas.txt" }
  - { id: check, agent: shell, needs: [notes, todo, ideas], run: "grep -q 'created by notes.txt' notes.txt && test -f todo.txt && test -f ideas.txt" }
`);
  // The coordinator's own claude does not exist: everything claude does happens on the worker.
  const result = await cluster.runPlan(plan, repo, noClaude);
  assert.equal(result.code, 0, result.stderr);
  const run = reportedRun(result);
  for (const name of ['notes.txt', 'todo.txt', 'ideas.txt'])
    assert.equal(fileOnBranch(repo, runBranchName(run.runId), name), `created by ${name}\n`);
  assert.equal(directories.length, 3, directories.join(', '));
  for (const directory of directories) {
    assert.ok(
      directory.startsWith(third.directory),
      `claude worked in the claude worker's checkout: ${directory}`,
    );
    for (const plain of [first, second]) assert.ok(!directory.startsWith(plain.directory));
  }
});
