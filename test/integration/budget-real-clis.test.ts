import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { agentCliBinaries, agentCliMissing, testApiKey } from '../support/agent-cli-env.js';
import { runCli, startCli, waitFor } from '../support/cli.js';
import { type ModelServer, startModelServer, text } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';

// Budgets, costs and forecasts end to end: the real command line driving the REAL claude and codex CLIs
// against the scripted model server; only the model is scripted.

interface StepReport {
  id: string;
  status: string;
  attempts: number;
  errorCode?: string;
  usage?: {
    costUsd?: number;
    costSource?: string;
    costUnknown?: boolean;
    model?: string;
    inputTokens: number;
  };
}
interface RunReport {
  runId: string;
  status: string;
  budget?: { usd?: number; tokens?: number };
  spent?: { usd: number; tokens: number; uncostedTokens: number };
  budgetReached?: { waiting: number };
  forecast?: {
    steps: Array<{ stepId: string; usd?: { median: number; samples: number } }>;
    withoutHistory: number;
  };
  steps: StepReport[];
}

let server: ModelServer;

before(async () => {
  server = await startModelServer({ script: () => text(`Looked at it. ${'All fine here. '.repeat(8)}DONE`) });
});

after(async () => {
  await server?.close();
});

function workspaceWith(config: string, plans: Record<string, string>): string {
  const workspace = tempDir('ai-collab-budget-');
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), config);
  for (const [name, plan] of Object.entries(plans)) writeFileSync(join(workspace, name), plan);
  return workspace;
}

function claudeConfig(): string {
  const home = tempDir('ai-collab-claude-home-');
  return `agents:
  claude:
    command: ${agentCliBinaries.claude}
    model: claude-sonnet-4-5
    env: { ANTHROPIC_BASE_URL: "${server.url}", ANTHROPIC_API_KEY: ${testApiKey}, HOME: ${home}, DISABLE_AUTOUPDATER: "1" }
    pool: { size: 1, prewarm: 0 }
`;
}

function analyzePlan(ids: string[], extra = ''): string {
  return `name: budget\nconcurrency: 1\nsteps:\n${ids
    .map((id) => `  - { id: ${id}, agent: claude, action: analyze, prompt: "Look at ${id}"${extra} }`)
    .join('\n')}\n`;
}

async function status(workspace: string, runId: string): Promise<RunReport> {
  const result = await runCli(['status', runId, '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as RunReport;
}

describe('budgets with the real claude CLI', { skip: agentCliMissing('claude') }, () => {
  test('a run pauses at its budget with claude reporting cost, resume --budget continues it, and the next plan gets a forecast', {
    timeout: 240_000,
  }, async () => {
    const workspace = workspaceWith(claudeConfig(), {
      'plan.yaml': analyzePlan(['one', 'two', 'three', 'four']),
      'next.yaml': analyzePlan(['five']),
    });
    // One step costs about $0.0006 (Claude Code's own figure): the second would pass $0.001.
    const first = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review', '--budget', '0.001'], {
      cwd: workspace,
    });
    assert.equal(first.code, 130, `paused, resumable: ${first.stderr}`);
    assert.match(
      first.stderr,
      /budget reached: spent \$0\.00\d+ and [\d.k]+ tokens of \$0\.001; 3 step\(s\) wait/,
    );
    const paused = JSON.parse(first.stdout) as RunReport;
    assert.equal(paused.status, 'paused');
    assert.deepEqual(paused.budget, { usd: 0.001 });
    assert.equal(paused.budgetReached?.waiting, 3);
    assert.deepEqual(
      paused.steps.map((step) => step.status),
      ['succeeded', 'ready', 'ready', 'ready'],
      'nothing failed, nothing started past the budget',
    );
    const cost = paused.steps[0]?.usage?.costUsd ?? 0;
    assert.ok(cost > 0 && cost < 0.001, `claude's own cost: ${cost}`);
    assert.equal(paused.steps[0]?.usage?.costSource, 'reported');
    assert.equal(paused.steps[0]?.usage?.model, 'claude-sonnet-4-5');

    const resumed = await runCli(['resume', paused.runId, '--budget', '1', '--json'], { cwd: workspace });
    assert.equal(resumed.code, 0, resumed.stderr);
    const done = JSON.parse(resumed.stdout) as RunReport;
    assert.equal(done.status, 'succeeded');
    assert.deepEqual(done.budget, { usd: 1 });
    // Each step's own cost, not a warm process's running total: every step costs about the same.
    for (const step of done.steps) {
      const own = step.usage?.costUsd ?? 0;
      assert.ok(Math.abs(own - cost) < cost * 0.5, `${step.id} cost ${own}, the first ${cost}`);
    }
    assert.ok(
      Math.abs(
        (done.spent?.usd ?? 0) - done.steps.reduce((sum, step) => sum + (step.usage?.costUsd ?? 0), 0),
      ) < 1e-9,
    );

    // The next plan waits for approval with a forecast drawn from the four steps just run.
    const waiting = startCli(['run', 'next.yaml', '--no-review'], { cwd: workspace });
    let runId = '';
    await waitFor(
      async () => {
        const runs = JSON.parse((await runCli(['runs', '--json'], { cwd: workspace })).stdout) as Array<{
          runId: string;
          status: string;
        }>;
        runId = runs.find((run) => run.status === 'awaiting_approval')?.runId ?? '';
        return runId !== '';
      },
      'the second run to wait for approval',
      60_000,
    );
    const report = await status(workspace, runId);
    const forecast = report.forecast?.steps[0];
    assert.equal(forecast?.usd?.samples, 4);
    assert.ok(Math.abs((forecast?.usd?.median ?? 0) - cost) < cost * 0.5, JSON.stringify(report.forecast));
    assert.equal((await runCli(['reject', runId], { cwd: workspace })).code, 0);
    await waiting.result;
  });

  test('a step over its own cap is stopped and fails as BUDGET, not retried', {
    timeout: 120_000,
  }, async () => {
    const workspace = workspaceWith(claudeConfig(), {
      'plan.yaml': analyzePlan(['capped'], ', retries: 2, budget: { usd: 0.0001 }'),
    });
    const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: workspace });
    assert.equal(result.code, 1, result.stderr);
    const report = JSON.parse(result.stdout) as RunReport;
    const step = report.steps[0];
    assert.equal(step?.status, 'failed');
    assert.equal(step?.errorCode, 'BUDGET');
    assert.equal(step?.attempts, 1, 'a step past its cap is not retried');
    assert.ok((report.spent?.usd ?? 0) > 0, 'what it spent counts');
  });
});

describe('token-priced agents with the real codex CLI', { skip: agentCliMissing('codex') }, () => {
  test('codex tokens are priced from the price table (a configured price here); an unknown model says cost unknown', {
    timeout: 240_000,
  }, async () => {
    const codexAgent = (name: string, model: string): string => {
      const home = tempDir('ai-collab-codex-home-');
      mkdirSync(join(home, '.codex'), { recursive: true });
      mkdirSync(join(home, 'tmp'), { recursive: true });
      return `  ${name}:
    adapter: codex
    command: ${agentCliBinaries.codex}
    model: ${model}
    baseUrl: ${server.url}/v1
    apiKeyEnv: SCRIPTED_MODEL_API_KEY
    env: { HOME: ${home}, CODEX_HOME: ${join(home, '.codex')}, TMPDIR: ${join(home, 'tmp')}, NO_COLOR: "1" }
`;
    };
    const config = `prices:\n  gpt-5.5: { input: 2, output: 20 }\nagents:\n${codexAgent('codex', 'gpt-5.5')}${codexAgent('mystery', 'scripted-unknown-model')}`;
    const workspace = workspaceWith(config, {
      'plan.yaml': `name: tokens\nsteps:\n  - { id: priced, agent: codex, action: analyze, prompt: "Look" }\n  - { id: unpriced, agent: mystery, action: analyze, prompt: "Look" }\n`,
    });
    const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], {
      cwd: workspace,
      env: { SCRIPTED_MODEL_API_KEY: testApiKey },
    });
    assert.equal(result.code, 0, result.stderr);
    const report = JSON.parse(result.stdout) as RunReport;
    const [priced, unpriced] = report.steps;
    const usage = priced?.usage;
    assert.equal(usage?.costSource, 'price-table');
    assert.equal(usage?.model, 'gpt-5.5');
    assert.ok((usage?.costUsd ?? 0) > 0, JSON.stringify(usage));
    assert.equal(unpriced?.usage?.costUsd, undefined, 'never a made-up figure');
    assert.equal(unpriced?.usage?.costUnknown, true);
    assert.ok((report.spent?.uncostedTokens ?? 0) > 0);
    assert.match(result.stderr, /cost unknown|unknown/);
  });
});
