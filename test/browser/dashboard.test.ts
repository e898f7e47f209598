/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): a running plan updates
 * live, a plan approved in the browser starts running, a step's output and reviewer votes are visible,
 * and a 1,000-step plan stays usable. Screenshots go to .artifacts/.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import type { StepStage } from '../../src/engine/step-hooks.js';
import { TalkingAgent } from '../integration/server-agents.js';
import { startTestServer, type TestServer } from '../integration/server-harness.js';
import { tempDir } from '../support/temp-dir.js';
import { planOf } from '../support/test-engine.js';

const root = new URL('../../', import.meta.url).pathname;
const chromiumPath = '/usr/bin/chromium';
const built = existsSync(join(root, 'dist/web/index.html'));
const required = process.env.AI_COLLAB_REQUIRE_BROWSER === '1';
const missing = !existsSync(chromiumPath)
  ? `${chromiumPath} is missing (apt-get install -y chromium)`
  : !built
    ? 'the dashboard is not built (npm run build:web)'
    : undefined;
if (missing && required) throw new Error(`browser tests required but ${missing}`);
const skip = missing ? `skipped: ${missing}` : false;

const artifacts = join(root, '.artifacts');
const review: StepStage = {
  name: 'review',
  appliesTo: (step) => step.id === 'talk',
  run: async (context) => {
    context.recordVote({
      reviewer: 'gpt-reviewer',
      vote: 'approve',
      confidence: 0.9,
      reason: 'The change does what the step asked.',
    });
    context.recordVote({
      reviewer: 'gemini-reviewer',
      vote: 'reject',
      confidence: 0.55,
      reason: 'A test for the empty input is missing.',
    });
    context.recordVote({
      reviewer: 'claude-reviewer',
      vote: 'approve',
      confidence: 0.8,
      reason: 'Looks right; naming is consistent.',
    });
    return { kind: 'passed', detail: { verdict: 'approved 2 of 3' } };
  },
};

let harness: TestServer;
let context: BrowserContext;
let page: Page;

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  harness = await startTestServer({
    agents: [
      new TalkingAgent('timer', (stepId) =>
        stepId === 'talk'
          ? {
              durationMs: 1_500,
              say: ['Reading src/calculator.ts\n', 'Editing divide()\n', 'Running the tests: 12 passed\n'],
            }
          : { durationMs: 150 + (Number(stepId.replace(/\D/g, '')) % 5) * 60 },
      ),
    ],
    hooks: { stages: [review] },
  });
  context = await chromium.launchPersistentContext(tempDir('ai-collab-chromium-'), {
    executablePath: chromiumPath,
    headless: true,
    viewport: { width: 1_440, height: 900 },
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') process.stderr.write(`browser console: ${message.text()}\n`);
  });
  await page.goto(harness.server.loginUrl());
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
});

after(async () => {
  await context?.close();
  await harness?.close();
});

function diamondPlan() {
  const steps = [{ id: 'setup' }, { id: 'talk', needs: ['setup'] }];
  for (let index = 0; index < 24; index++) steps.push({ id: `build-${index}`, needs: ['setup'] });
  steps.push({
    id: 'package',
    needs: ['talk', ...Array.from({ length: 24 }, (_, index) => `build-${index}`)],
  });
  return planOf(steps, { concurrency: 4, name: 'release-build' });
}

test('the dashboard shows a running plan updating live', { skip }, async () => {
  const created = harness.engine.createRun({
    plan: diamondPlan(),
    workspace: harness.stateDir,
    planFile: null,
  });
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="package"]').waitFor();
  const handle = harness.engine.startRun(created.runId);
  await page.locator('[data-status="running"]').first().waitFor();
  // The page's CSP forbids eval, so wait by polling a locator rather than with waitForFunction.
  while ((await page.locator('[data-status="succeeded"]').count()) < 5) await page.waitForTimeout(50);
  await page.screenshot({ path: join(artifacts, 'dashboard-running.png') });
  await handle.done;
  await page.locator('[data-step="package"][data-status="succeeded"]').waitFor();
  assert.match((await page.getByTestId('progress').textContent()) ?? '', /27\/27 done/);
  await page.screenshot({ path: join(artifacts, 'dashboard-finished.png') });
});

test("a step's live output and its reviewers' votes with reasons are visible", { skip }, async () => {
  const created = harness.engine.createRun({
    plan: diamondPlan(),
    workspace: harness.stateDir,
    planFile: null,
  });
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="talk"]').waitFor();
  const handle = harness.engine.startRun(created.runId);
  await page.locator('[data-step="talk"][data-status="running"]').waitFor();
  await page.locator('[data-step="talk"]').click();
  await page.getByTestId('step-output').filter({ hasText: 'Editing divide()' }).waitFor();
  await page.screenshot({ path: join(artifacts, 'dashboard-step-output.png') });
  await handle.done;
  await page.getByRole('button', { name: /votes \(3\)/ }).click();
  const votes = page.getByTestId('votes');
  await votes.getByText('A test for the empty input is missing.').waitFor();
  assert.match((await votes.textContent()) ?? '', /gemini-reviewer reject \(55%\)/);
  await page.screenshot({ path: join(artifacts, 'dashboard-votes.png') });
});

test('a plan approved in the browser starts running', { skip }, async () => {
  const plan = {
    ...planOf([{ id: 'read' }, { id: 'edit', needs: ['read'] }, { id: 'test', needs: ['edit'] }], {
      name: 'guard-divide',
    }),
    meta: {
      analysis: {
        understanding: 'Make divide() throw on a zero divisor.',
        rationale: 'Fails loudly and is easy to test.',
      },
      confidence: { taskClarity: 0.9, contextSufficiency: 0.7, approachConfidence: 0.85, overall: 0.62 },
      risks: [
        {
          severity: 'high',
          category: 'breaking-change',
          description: 'Callers relying on Infinity will throw.',
          mitigation: 'Step read lists callers.',
        },
      ],
    },
  };
  const created = harness.engine.createRun({
    plan,
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: "the planner's confidence 0.62 is below 0.7" },
  });
  const handle = harness.engine.startRun(created.runId);
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  const approval = page.getByTestId('approval');
  await approval.getByText('Callers relying on Infinity will throw.').waitFor();
  await page.screenshot({ path: join(artifacts, 'dashboard-approval.png') });
  await approval.getByRole('button', { name: 'Approve', exact: true }).click();
  await page.locator('[data-step="test"][data-status="succeeded"]').waitFor();
  const state = await handle.done;
  assert.equal(state.status, 'succeeded');
  assert.equal(state.approvedBy, 'dashboard');
});

test('a 1,000-step plan stays usable: it draws, searches and collapses', { skip }, async () => {
  // 25 layers of 40 steps; each step needs one or two steps of the layer before.
  const steps = Array.from({ length: 1_000 }, (_, index) => {
    const layer = Math.floor(index / 40);
    const previous = (offset: number) => `step-${(layer - 1) * 40 + ((index * 7 + offset) % 40)}`;
    return {
      id: `step-${index}`,
      needs: layer === 0 ? [] : index % 3 === 0 ? [previous(0), previous(13)] : [previous(5)],
    };
  });
  const created = harness.engine.createRun({
    plan: planOf(steps, { concurrency: 8, name: 'thousand' }),
    workspace: harness.stateDir,
    planFile: null,
  });
  const started = Date.now();
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('.node').first().waitFor();
  const firstPaint = Date.now() - started;
  const handle = harness.engine.startRun(created.runId);
  const search = page.getByPlaceholder(/Search steps/);
  await search.fill('step-777');
  await search.press('Enter');
  await page.getByTestId('step-panel').getByRole('heading', { name: 'step-777' }).waitFor();
  await page.locator('[data-step="step-777"]').waitFor();
  // How long the page takes to paint its next frame while the run updates it.
  const responsive = (await page.evaluate(
    'new Promise((resolve) => { const begin = performance.now(); requestAnimationFrame(() => resolve(performance.now() - begin)); })',
  )) as number;
  await page.screenshot({ path: join(artifacts, 'dashboard-1000-steps.png') });
  await search.fill('step-3');
  await search.press('Enter');
  await page.getByTestId('step-panel').getByRole('heading', { name: 'step-3', exact: true }).waitFor();
  await page
    .getByTestId('step-panel')
    .getByRole('button', { name: 'Collapse the steps after this one' })
    .click();
  await page.getByText(/\d+ of 1000 steps shown/).waitFor();
  await page.getByRole('button', { name: 'Fit' }).click();
  await page.screenshot({ path: join(artifacts, 'dashboard-1000-collapsed.png') });
  harness.engine.cancel(created.runId);
  await handle.done;
  assert.ok(firstPaint < 5_000, `first paint took ${firstPaint} ms`);
  assert.ok(responsive < 500, `a frame took ${responsive} ms`);
});

test('the timeline shows attempts per slot with throughput and retries; the metrics view shows the numbers', {
  skip,
}, async () => {
  const created = harness.engine.createRun({
    plan: diamondPlan(),
    workspace: harness.stateDir,
    planFile: null,
  });
  await harness.engine.startRun(created.runId).done;
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.getByRole('button', { name: 'timeline', exact: true }).click();
  await page
    .getByTestId('timeline')
    .getByText(/27 attempts on 4 slots/)
    .waitFor();
  assert.equal(await page.locator('.gantt .bar').count(), 27);
  await page.screenshot({ path: join(artifacts, 'dashboard-timeline.png') });
  await page.getByRole('link', { name: 'Metrics' }).click();
  await page.getByTestId('metrics').getByText('ai_collab_runs_finished_total').first().waitFor();
  await page.screenshot({ path: join(artifacts, 'dashboard-metrics.png') });
});
