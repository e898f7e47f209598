import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { z } from 'zod';
import {
  agentCliBinaries,
  agentCliMissing,
  claudeTestEnvironment,
  testApiKey,
} from '../support/agent-cli-env.js';
import { type ModelServer, startModelServer, text } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { type Cluster, openCluster, planFile, redisMissing } from './distributed-support.js';
import { gitRepo } from './workspace-support.js';

// Failover across vendors in distributed mode: the real Claude Code CLI on one worker hits its usage limit
// (the scripted model says so), and the step moves to the real codex CLI on another worker; the coordinator
// runs no agent of its own. Each process has its own folder and HOME, over the real Redis.
const skip = agentCliMissing('claude') || agentCliMissing('codex') || (await redisMissing());

let server: ModelServer;
const cluster: Cluster | undefined = skip ? undefined : openCluster();
const reset = Math.floor(Date.now() / 1000) + 3 * 3600;
/** Which CLI asked the model for the step's work (not auxiliary calls). */
const asked: string[] = [];

/** The worker's codex HOME and CODEX_HOME (codex refuses one that does not exist). Made at the top: a
 * temp directory made in a hook is removed when that hook ends. */
const codexHome = skip ? '' : tempDir('ai-collab-codex-home-');
const claudeHome = skip ? '' : tempDir('ai-collab-claude-home-');
if (codexHome) {
  mkdirSync(join(codexHome, '.codex'), { recursive: true });
  mkdirSync(join(codexHome, 'tmp'), { recursive: true });
}

before(async () => {
  if (skip || !cluster) return;
  server = await startModelServer({
    script: (request) => {
      if (request.api === 'anthropic-messages') {
        if (request.auxiliary) return text('ok');
        asked.push('claude');
        return text(`Claude AI usage limit reached|${reset}`);
      }
      asked.push('codex');
      return text('Summary by codex: the project has a README.');
    },
  });
  const home = codexHome;
  await Promise.all([
    cluster.startWorker('claude-box', {
      config: {
        agents: {
          claude: {
            command: agentCliBinaries.claude,
            model: 'claude-sonnet-4-5',
            env: claudeTestEnvironment(server.url, claudeHome),
          },
        },
      },
      args: ['--agents', 'claude'],
    }),
    cluster.startWorker('codex-box', {
      config: {
        agents: {
          codex: {
            adapter: 'codex',
            command: agentCliBinaries.codex,
            model: 'gpt-5.5',
            baseUrl: `${server.url}/v1`,
            apiKeyEnv: 'SCRIPTED_MODEL_API_KEY',
            env: {
              HOME: home,
              CODEX_HOME: join(home, '.codex'),
              TMPDIR: join(home, 'tmp'),
              NO_COLOR: '1',
            },
          },
        },
      },
      args: ['--agents', 'codex'],
      env: { SCRIPTED_MODEL_API_KEY: testApiKey },
    }),
  ]);
});

after(async () => {
  await server?.close();
});

/** The coordinator has neither CLI: everything either agent does happens on a worker. */
const noLocalAgents = {
  agents: { claude: { command: '/nonexistent/claude' }, codex: { command: '/nonexistent/codex' } },
};

const reportJson = z.object({
  runId: z.string(),
  status: z.string(),
  steps: z.array(z.object({ id: z.union([z.string(), z.number()]), status: z.string(), agent: z.string() })),
  failovers: z.array(
    z.object({
      stepId: z.string(),
      from: z.string(),
      to: z.string(),
      cause: z.string(),
      reason: z.string(),
      until: z.number().optional(),
    }),
  ),
});

test('a claude usage limit on one worker moves the step to codex on another, recorded with its reason, and the run succeeds', {
  skip,
  timeout: 600_000,
}, async () => {
  assert.ok(cluster);
  const repo = gitRepo({ 'README.md': 'project\n' });
  const plan = planFile(`name: failover-on-workers
steps:
  - { id: summary, agent: claude, action: analyze, prompt: "Summarise the project.", fallback: [codex] }
`);
  const result = await cluster.coordinator(
    ['run', plan, '--yes', '--json', '--no-review'],
    repo,
    noLocalAgents,
  );
  assert.equal(result.code, 0, result.stderr);
  const report = reportJson.parse(JSON.parse(result.stdout));
  assert.equal(report.status, 'succeeded');
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.status, step.agent]),
    [['summary', 'succeeded', 'codex']],
  );
  const [moved] = report.failovers;
  assert.ok(moved, 'the move is recorded');
  assert.deepEqual(
    [moved.stepId, moved.from, moved.to, moved.cause],
    ['summary', 'claude', 'codex', 'usage-limit'],
  );
  assert.match(moved.reason, /usage limit reached/);
  assert.equal(moved.until, reset * 1000, 'the reset time claude reported, carried from the worker');
  assert.deepEqual(
    [asked[0], asked.at(-1)],
    ['claude', 'codex'],
    'claude was asked first, codex did the work',
  );
  // The line a person sees says why the step moved.
  assert.match(result.stderr, /summary: claude parked until \d\d:\d\d.*→ moved to codex/);
});
