import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { agentCliBinaries, agentCliMissing, testApiKey } from '../support/agent-cli-env.js';
import { runCli } from '../support/cli.js';
import {
  httpError,
  type ModelServer,
  startModelServer,
  text,
  toolCall,
} from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

// `ai-collab plan` end to end with the real claude CLI as planner and executor; only the model is scripted.
const skip = agentCliMissing('claude');

let server: ModelServer;
let workspace = '';
let planAnswers: string[] = [];
/** A planner answer that is a 429 from the model instead of text. */
const rateLimited = 'HTTP 429';

const goodPlan = {
  name: 'two-files',
  rationale: 'Two independent files, then a check.',
  risks: [
    {
      severity: 'low',
      category: 'other',
      description: 'none really',
      mitigation: 'n/a',
      affectedSteps: ['alpha'],
    },
  ],
  confidence: {
    taskClarity: 0.9,
    contextSufficiency: 0.9,
    approachConfidence: 0.9,
    executionFeasibility: 0.9,
    overall: 0.9,
  },
  steps: [
    {
      id: 'alpha',
      agent: 'claude',
      action: 'write',
      target: 'alpha.txt',
      prompt: 'CREATE-FILE alpha.txt',
      needs: [],
    },
    {
      id: 'beta',
      agent: 'claude',
      action: 'write',
      target: 'beta.txt',
      prompt: 'CREATE-FILE beta.txt',
      needs: [],
    },
    { id: 'check', agent: 'shell', run: 'cat alpha.txt beta.txt > both.txt', needs: ['alpha', 'beta'] },
  ],
};

before(async () => {
  if (skip) return;
  server = await startModelServer({
    script: (request) => {
      const prompt = request.lastUserText;
      // The planner's long prompt may not be the last text block claude sends, so look at the whole request.
      if (isPlannerRequest(request)) {
        const answer = planAnswers.shift() ?? '{}';
        return answer === rateLimited ? httpError(429, { retryAfter: '1' }) : text(answer);
      }
      if (request.pendingToolResults.length > 0) return text('Done. DONE-MARKER');
      // The prompt is not always claude's last text block (it appends reminders), so search the request.
      const name =
        /CREATE-FILE ([\w.-]+)/.exec(prompt)?.[1] ??
        /CREATE-FILE ([\w.-]+)/.exec(JSON.stringify(request))?.[1];
      if (name)
        return toolCall('Write', {
          file_path: join(workingDirectoryOf(request), name),
          content: `${name} made by claude\n`,
        });
      return text('ok');
    },
  });
});

after(async () => {
  await server?.close();
});

function isPlannerRequest(request: unknown): boolean {
  return JSON.stringify(request).includes('You are the planner');
}

/** The step's working directory (its worktree), as claude states it in the system prompt it sends. */
function workingDirectoryOf(request: unknown): string {
  return /Primary working directory: ([^\s"\\]+)/.exec(JSON.stringify(request))?.[1] ?? workspace;
}

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

test('ai-collab plan: the planner’s invalid first answer is repaired once, then the plan runs in parallel and its files land', {
  skip,
}, async () => {
  workspace = tempDir();
  const home = tempDir('ai-collab-claude-home-');
  git(workspace, 'init', '-q', '-b', 'main');
  git(workspace, 'config', 'user.email', 'dev@example.com');
  git(workspace, 'config', 'user.name', 'Dev');
  writeFileSync(join(workspace, 'README.md'), '# demo\n');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:
  claude:
    command: ${agentCliBinaries.claude}
    model: claude-sonnet-4-5
    env: { ANTHROPIC_BASE_URL: "${server.url}", ANTHROPIC_API_KEY: ${testApiKey}, HOME: ${home}, DISABLE_AUTOUPDATER: "1" }
    pool: { size: 2, prewarm: 0 }
`,
  );
  git(workspace, 'add', '.');
  git(workspace, 'commit', '-qm', 'start');
  planAnswers = [
    // A cycle: rejected by validation and sent back with the error.
    JSON.stringify({
      ...goodPlan,
      steps: [
        { ...goodPlan.steps[0], needs: ['beta'] },
        { ...goodPlan.steps[1], needs: ['alpha'] },
        goodPlan.steps[2],
      ],
    }),
    `Here is the corrected plan:\n\`\`\`json\n${JSON.stringify(goodPlan)}\n\`\`\``,
  ];
  // The swarm is tested in plan-review.test.ts; here claude would be the only (default) reviewer.
  const result = await runCli(['plan', 'Create alpha.txt and beta.txt', '--yes', '--json', '--no-review'], {
    cwd: workspace,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /Planned by claude: 3 steps/);
  assert.match(result.stderr, /first answer was not a valid plan/);
  const plannerRequests = server.requests.filter(
    (request) =>
      request.model !== undefined && request.model.tools.length > 0 && isPlannerRequest(request.model),
  );
  assert.equal(plannerRequests.length, 2);
  assert.match(JSON.stringify(plannerRequests[1]?.model), /dependency cycle: alpha → beta → alpha/);
  const report = JSON.parse(result.stdout) as RunReport;
  assert.deepEqual(
    report.steps.map((step) => [step.id, step.status]),
    [
      ['alpha', 'succeeded'],
      ['beta', 'succeeded'],
      ['check', 'succeeded'],
    ],
  );
  const alpha = report.steps.find((step) => step.id === 'alpha');
  const beta = report.steps.find((step) => step.id === 'beta');
  assert.ok(
    alpha &&
      beta &&
      (alpha.startedAt ?? 0) < (beta.finishedAt ?? 0) &&
      (beta.startedAt ?? 0) < (alpha.finishedAt ?? 0),
    'alpha and beta overlapped',
  );
  const applied = await runCli(['apply', report.runId], { cwd: workspace });
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(readFileSync(join(workspace, 'alpha.txt'), 'utf8'), 'alpha.txt made by claude\n');
  assert.equal(readFileSync(join(workspace, 'beta.txt'), 'utf8'), 'beta.txt made by claude\n');
});

test('ai-collab plan --out writes the plan and runs nothing; a planner that never answers with a plan is an error', {
  skip,
}, async () => {
  workspace = tempDir();
  const home = tempDir('ai-collab-claude-home-');
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:\n  claude:\n    command: ${agentCliBinaries.claude}\n    env: { ANTHROPIC_BASE_URL: "${server.url}", ANTHROPIC_API_KEY: ${testApiKey}, HOME: ${home} }\n`,
  );
  planAnswers = [JSON.stringify(goodPlan)];
  const written = await runCli(['plan', 'Create the files', '--out', 'plan.yaml'], { cwd: workspace });
  assert.equal(written.code, 0, written.stderr);
  const back = await runCli(['run', 'plan.yaml', '--yes', '--no-isolation', '--json', '--no-review'], {
    cwd: workspace,
  });
  assert.equal(back.code, 0, back.stderr + back.stdout);
  assert.equal(
    (JSON.parse(back.stdout) as RunReport).steps.length,
    3,
    'the written plan runs as a plan file',
  );

  planAnswers = ['I would rather not.', '{"steps": }'];
  const failed = await runCli(['plan', 'Create the files', '--yes'], { cwd: workspace });
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /did not produce a valid plan in 2 attempts; nothing was stored/);
  const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: workspace })).stdout) as unknown[];
  assert.equal(runs.length, 1, 'only the earlier run exists');
});

test('ai-collab plan: a 429 from the planner’s model is retried like a step’s, and the plan is made', {
  skip,
}, async () => {
  workspace = tempDir();
  const home = tempDir('ai-collab-claude-home-');
  // claude itself does not retry here, so the 429 reaches ai-collab.
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:\n  claude:\n    command: ${agentCliBinaries.claude}\n    env: { ANTHROPIC_BASE_URL: "${server.url}", ANTHROPIC_API_KEY: ${testApiKey}, HOME: ${home}, CLAUDE_CODE_MAX_RETRIES: "0" }\n`,
  );
  planAnswers = [rateLimited, JSON.stringify(goodPlan)];
  const before = server.requests.length;
  const planned = await runCli(['plan', 'Create the files', '--out', 'plan.yaml'], { cwd: workspace });
  assert.equal(planned.code, 0, planned.stderr);
  assert.match(planned.stderr, /The planner failed \(.*429.*\); trying again in/);
  assert.match(planned.stderr, /Planned by claude: 3 steps/);
  assert.match(readFileSync(join(workspace, 'plan.yaml'), 'utf8'), /id: alpha/);
  const answers = server.requests
    .slice(before)
    .filter((request) => request.model && !request.model.auxiliary && isPlannerRequest(request.model))
    .map((request) => request.answer?.status);
  assert.deepEqual(answers, [429, 200]);
});
