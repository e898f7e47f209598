/**
 * The dashboard in a real browser (Debian's Chromium through playwright-core): a running plan updates
 * live, a plan approved (or rejected) from the keyboard, a step's transcript built from its agent's typed
 * stream parts, a retried step on the Gantt chart, a step parked on a usage limit, plots of the metrics,
 * notifications, and a 1,000-step plan that stays usable. Every view passes axe-core (no serious or
 * critical violation); screenshots of every view at 1400×900 and 400 px wide go to .artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import type { AgentStreamPart } from '../../src/agents/agent.js';
import type { StepStage } from '../../src/engine/step-hooks.js';
import { expandCandidates } from '../../src/plan/expand-candidates.js';
import { TalkingAgent } from '../integration/server-agents.js';
import { startTestServer, type TestServer } from '../integration/server-harness.js';
import { planOf } from '../support/test-engine.js';
import { artifacts, browserMissing, openBrowser } from './browser-session.js';
import { assertAccessible, screenshots } from './page-checks.js';

const skip = browserMissing;
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

/** A best-of-N step's candidates: the check passes with its output kept, two reviewers vote on each. */
const candidateCheck: StepStage = {
  name: 'check',
  appliesTo: (step) => step.candidateOf !== undefined && step.check !== undefined,
  run: async (context) => ({
    kind: 'passed',
    detail: {
      command: context.step.check ?? '',
      exitCode: '0',
      durationMs: '40',
      output: `${context.step.id}: 14 passing\n`,
    },
  }),
};
const candidateReview: StepStage = {
  name: 'review',
  appliesTo: (step) => step.candidateOf !== undefined,
  run: async (context) => {
    const sure = context.step.id === 'pick#3' ? 0.9 : 0.6;
    context.recordVote({ reviewer: 'gpt-reviewer', vote: 'approve', confidence: sure, reason: 'Correct.' });
    context.recordVote({
      reviewer: 'gemini-reviewer',
      vote: context.step.id === 'pick#3' ? 'approve' : 'reject',
      confidence: 0.7,
      reason: `Reviewed ${context.step.id}.`,
    });
    const approvalShare = context.step.id === 'pick#3' ? '1' : '0.5';
    return { kind: 'passed', detail: { verdict: 'approved', approvalShare } };
  },
};

/** What the `talk` step's agent reports besides its text, as a real adapter would. */
const talkParts: AgentStreamPart[] = [
  { type: 'session-start', sessionId: 'session-7f3a', model: 'claude-sonnet' },
  { type: 'tool-call', id: 'read-1', name: 'Read', input: { file_path: 'src/calculator.ts' } },
  {
    type: 'tool-result',
    id: 'read-1',
    output: 'export function divide(a: number, b: number) {\n  return a / b;\n}\n',
    isError: false,
  },
  {
    type: 'tool-call',
    id: 'edit-1',
    name: 'Edit',
    input: {
      file_path: 'src/calculator.ts',
      old_string: '  return a / b;',
      new_string: "  if (b === 0) throw new RangeError('division by zero');\n  return a / b;",
    },
  },
  {
    type: 'tool-result',
    id: 'edit-1',
    output: 'The file src/calculator.ts has been updated.',
    isError: false,
  },
  { type: 'tool-call', id: 'bash-1', name: 'Bash', input: { command: 'npm test -- calculator' } },
  { type: 'tool-result', id: 'bash-1', output: 'FAIL divide by zero\n1 failing', isError: true },
  { type: 'retry-notice', message: 'API overloaded (529)', delayMs: 2_000 },
  { type: 'tool-call', id: 'bash-2', name: 'Bash', input: { command: 'npm test -- calculator' } },
  { type: 'tool-result', id: 'bash-2', output: '12 passing', isError: false },
  { type: 'usage-report', usage: { inputTokens: 12_400, outputTokens: 1_830, costUsd: 0.0123 } },
];

let harness: TestServer;
let context: BrowserContext;
let page: Page;

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  harness = await startTestServer({
    agents: [
      new TalkingAgent('timer', (stepId, attempt) => {
        if (stepId === 'talk')
          return {
            durationMs: 1_500,
            say: ['Reading src/calculator.ts\n', 'Editing divide()\n', 'Running the tests: 12 passed\n'],
            parts: talkParts,
          };
        if (stepId === 'flaky')
          return attempt === 1
            ? { durationMs: 200, say: ['Connecting to the registry…\n'], fail: true, transient: true }
            : { durationMs: 300, say: ['Connected; published.\n'] };
        if (stepId === 'broken' || stepId === 'pick#1') return { durationMs: 100, fail: true };
        if (stepId === 'quota')
          return attempt === 1
            ? { durationMs: 100, say: ['Asking the model…\n'], usageLimitResetsInMs: 2_500 }
            : { durationMs: 200, say: ['The limit reset; done.\n'] };
        return { durationMs: 150 + (Number(stepId.replace(/\D/g, '')) % 5) * 60 };
      }),
    ],
    hooks: { stages: [candidateCheck, review, candidateReview] },
  });
  ({ context, page } = await openBrowser(harness.server.loginUrl()));
});

after(async () => {
  await context?.close();
  await harness?.close();
});

/** How many step nodes lie (partly) outside the graph's canvas. */
async function stepsOutsideCanvas(page: Page): Promise<number> {
  const canvas = await page.locator('.graph-canvas').boundingBox();
  if (!canvas) return Number.POSITIVE_INFINITY;
  let outside = 0;
  for (const node of await page.locator('.graph-canvas [data-step]').all()) {
    const box = await node.boundingBox();
    const inside =
      box !== null &&
      box.x >= canvas.x - 1 &&
      box.y >= canvas.y - 1 &&
      box.x + box.width <= canvas.x + canvas.width + 1 &&
      box.y + box.height <= canvas.y + canvas.height + 1;
    if (!inside) outside++;
  }
  return outside;
}

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
  await page.goto(`${harness.server.url}/#/`);
  const created = harness.engine.createRun({
    plan: diamondPlan(),
    workspace: harness.stateDir,
    planFile: null,
  });
  await page.getByTestId('runs').getByText('release-build').first().waitFor();
  await assertAccessible(page, 'runs');
  await screenshots(page, artifacts, 'runs');
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="package"]').waitFor();
  const handle = harness.engine.startRun(created.runId);
  await page.locator('[data-status="running"]').first().waitFor();
  // The page's CSP forbids eval, so wait by polling a locator rather than with waitForFunction.
  while ((await page.locator('[data-status="succeeded"]').count()) < 5) await page.waitForTimeout(50);
  // A finished node says how long it ran (in words when zoomed in; in its tooltip at any zoom).
  assert.match(
    (await page.locator('[data-step="setup"] > title').textContent()) ?? '',
    /succeeded · \d+(\.\d)? (ms|s)/,
  );
  await page.screenshot({ path: join(artifacts, 'dashboard-running.png') });
  await handle.done;
  await page.locator('[data-step="package"][data-status="succeeded"]').waitFor();
  assert.match((await page.getByTestId('progress').textContent()) ?? '', /27\/27 done/);
  await assertAccessible(page, 'graph');
  await screenshots(page, artifacts, 'graph');
});

test("a step's transcript: text, tool calls summarised, results collapsed, errors and retries marked, usage", {
  skip,
}, async () => {
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
  const transcript = page.getByTestId('transcript');
  // Live: the agent's words appear while the step runs.
  await transcript.locator('.message').filter({ hasText: 'Editing divide()' }).waitFor();
  // The selected step's dependencies and dependents are marked in the graph.
  await page.locator('[data-step="setup"].upstream').waitFor();
  await page.locator('[data-step="package"].downstream').waitFor();
  // The click opened the panel beside the graph and narrowed its canvas: the graph fits it again.
  while ((await stepsOutsideCanvas(page)) > 0) await page.waitForTimeout(50);
  await handle.done;
  await transcript.getByText('$0.0123').waitFor();
  const tools = transcript.locator('.tool');
  assert.equal(await tools.count(), 4);
  assert.match((await tools.nth(0).textContent()) ?? '', /Read\s*src\/calculator\.ts/);
  assert.match((await tools.nth(1).textContent()) ?? '', /Edit\s*src\/calculator\.ts · \+2 −1 lines/);
  assert.match((await tools.nth(2).textContent()) ?? '', /\$ npm test -- calculator/);
  assert.equal(await transcript.locator('.tool-failed').count(), 1);
  await transcript
    .locator('.notice-retry')
    .getByText(/API overloaded \(529\) — retrying in 2 s/)
    .waitFor();
  // Results are collapsed to one line until opened.
  const firstResult = tools.nth(0).locator('details');
  assert.equal(await firstResult.getAttribute('open'), null);
  await firstResult.locator('summary').click();
  await firstResult.getByText('return a / b;').waitFor();
  assert.match(
    (await transcript.locator('.transcript-end').textContent()) ?? '',
    /12,400 tokens in · 1,830 out · \$0\.0123/,
  );
  await assertAccessible(page, 'transcript');
  await screenshots(page, artifacts, 'transcript');
  // The dark theme is held to the same contrast.
  await page.emulateMedia({ colorScheme: 'dark' });
  await assertAccessible(page, 'transcript (dark)');
  await page.screenshot({ path: join(artifacts, 'transcript-dark.png') });
  await page.emulateMedia({ colorScheme: 'light' });
  // The raw log is behind a toggle, and downloadable.
  await transcript.getByRole('button', { name: 'Raw log' }).click();
  await page.getByTestId('step-output').filter({ hasText: '"type":"tool-call"' }).waitFor();
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    transcript.getByRole('button', { name: 'Download' }).click(),
  ]);
  assert.equal(download.suggestedFilename(), `${created.runId}-talk-attempt-1.log`);
  await page.getByRole('button', { name: /votes \(3\)/ }).click();
  const votes = page.getByTestId('votes');
  await votes.getByText('A test for the empty input is missing.').waitFor();
  assert.match((await votes.textContent()) ?? '', /gemini-reviewer reject \(55%\)/);
  await page.screenshot({ path: join(artifacts, 'dashboard-votes.png') });
});

function approvalRun(name: string) {
  const plan = {
    ...planOf([{ id: 'read' }, { id: 'edit', needs: ['read'] }, { id: 'test', needs: ['edit'] }], { name }),
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
  return harness.engine.createRun({
    plan,
    workspace: harness.stateDir,
    planFile: null,
    approval: { reason: "the planner's confidence 0.62 is below 0.7" },
  });
}

test('a plan is approved, and another rejected, from the keyboard', { skip }, async () => {
  const created = approvalRun('guard-divide');
  const handle = harness.engine.startRun(created.runId);
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  const approval = page.getByTestId('approval');
  await approval.getByText('Callers relying on Infinity will throw.').waitFor();
  await assertAccessible(page, 'approval');
  await screenshots(page, artifacts, 'approval');
  await page.screenshot({ path: join(artifacts, 'dashboard-approval.png') });
  await approval.getByPlaceholder('Reason (optional)').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.press('Enter');
  await page.locator('[data-step="test"][data-status="succeeded"]').waitFor();
  const state = await handle.done;
  assert.equal(state.status, 'succeeded');
  assert.equal(state.approvedBy, 'dashboard');

  const second = approvalRun('guard-modulo');
  const rejected = harness.engine.startRun(second.runId);
  await page.goto(`${harness.server.url}/#/runs/${second.runId}`);
  await approval.getByText('Callers relying on Infinity will throw.').waitFor();
  await approval.getByPlaceholder('Reason (optional)').focus();
  await page.keyboard.type('Not now');
  for (let tab = 0; tab < 3; tab++) await page.keyboard.press('Tab');
  assert.equal(await page.evaluate('document.activeElement.textContent'), 'Reject');
  await page.keyboard.press('Enter');
  assert.equal((await rejected.done).rejected?.reason, 'Not now');
});

test('a retried step: its attempts in the transcript, its backoff on the Gantt chart; retry from the keyboard', {
  skip,
}, async () => {
  const created = harness.engine.createRun({
    plan: planOf(
      [
        { id: 'setup' },
        { id: 'flaky', needs: ['setup'], retries: 1, backoff: { initialMs: 400, maxMs: 400, factor: 1 } },
        { id: 'broken', needs: ['setup'] },
        { id: 'package', needs: ['flaky'] },
      ],
      { name: 'publish' },
    ),
    workspace: harness.stateDir,
    planFile: null,
  });
  await harness.engine.startRun(created.runId).done;
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="package"][data-status="succeeded"]').waitFor();
  // Search and open the step from the keyboard.
  await page.locator('main').click({ position: { x: 5, y: 5 } });
  await page.keyboard.press('/');
  await page.keyboard.type('flaky');
  await page.keyboard.press('Enter');
  const panel = page.getByTestId('step-panel');
  await panel.getByRole('heading', { name: 'flaky' }).waitFor();
  const transcript = page.getByTestId('transcript');
  await transcript.getByRole('button', { name: 'Attempt 1 · retried' }).click();
  await transcript.getByText('Connecting to the registry…').waitFor();
  await transcript.getByText(/Failed, retried: EXIT_CODE — scripted failure/).waitFor();
  await transcript.getByRole('button', { name: 'Attempt 2 · succeeded' }).click();
  await transcript.getByText('Connected; published.').waitFor();
  // The timeline: one labelled row per step, the backoff between the attempts, the critical path.
  await page.keyboard.press('Escape');
  await page.keyboard.press('t');
  const timeline = page.getByTestId('timeline');
  await timeline.getByText(/4 steps · 5 attempts · 1 retried/).waitFor();
  const flaky = timeline.locator('.gantt-row[data-step="flaky"]');
  assert.equal(await flaky.locator('.seg-run').count(), 2);
  assert.equal(await flaky.locator('.seg-backoff').count(), 1);
  assert.equal(await timeline.locator('.gantt-row[data-step="broken"] .seg-run.outcome-failed').count(), 1);
  assert.deepEqual(
    await timeline
      .locator('.gantt-row.critical')
      .evaluateAll((rows) => rows.map((row) => row.getAttribute('data-step'))),
    ['setup', 'flaky', 'package'],
  );
  await timeline.getByText('Steps finished and retries').waitFor();
  await assertAccessible(page, 'timeline');
  await screenshots(page, artifacts, 'timeline');
  // Keyboard on the chart: ↓ to the step, Enter opens it; then retry the failed step with the keyboard.
  await timeline.locator('.gantt').focus();
  while ((await timeline.locator('.gantt-row.active').getAttribute('data-step')) !== 'broken')
    await page.keyboard.press('ArrowDown');
  await page.keyboard.press('Enter');
  await panel.getByRole('heading', { name: 'broken' }).waitFor();
  await panel.getByRole('button', { name: 'Retry step' }).focus();
  await page.keyboard.press('Enter');
  await panel.getByText('Retry requested.').waitFor();
});

test('a step parked on a usage limit: why and until when in its panel, the wait on the Gantt chart', {
  skip,
}, async () => {
  const created = harness.engine.createRun({
    plan: planOf([{ id: 'setup' }, { id: 'quota', needs: ['setup'] }], { name: 'over-quota' }),
    workspace: harness.stateDir,
    planFile: null,
  });
  const handle = harness.engine.startRun(created.runId);
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="quota"][data-status="retrying"]').waitFor();
  await page.locator('[data-step="quota"]').click();
  const panel = page.getByTestId('step-panel');
  await panel.getByRole('heading', { name: 'quota' }).waitFor();
  // Read while the step is parked: the reason, and the reset time as a clock time.
  await panel.getByText(/five-hour usage limit reached until \d{1,2}:\d{2}/).waitFor();
  await assertAccessible(page, 'parked step');
  await screenshots(page, artifacts, 'parked');
  await handle.done;
  await page.locator('[data-step="quota"][data-status="succeeded"]').waitFor();
  await page.keyboard.press('Escape');
  await page.keyboard.press('t');
  const row = page.getByTestId('timeline').locator('.gantt-row[data-step="quota"]');
  await row.waitFor();
  // The wait stays on the chart after the step succeeded: one parked stretch between its two attempts.
  assert.equal(await row.locator('.seg-parked').count(), 1);
  assert.equal(await row.locator('.seg-run').count(), 2);
});

test('a best-of-three step: its candidates side by side in its panel (votes, check output, diff), the picked one marked', {
  skip,
}, async () => {
  const plan = planOf([{ id: 'pick', check: 'npm test' }], { name: 'best-of-three' });
  const expanded = expandCandidates(plan.steps, new Map([['pick', { index: 0, count: 3 }]]));
  const created = harness.engine.createRun({
    plan: { ...plan, steps: expanded.steps },
    workspace: harness.stateDir,
    planFile: null,
  });
  await harness.engine.startRun(created.runId).done;
  await page.goto(`${harness.server.url}/#/runs/${created.runId}`);
  await page.locator('[data-step="pick"][data-status="succeeded"]').waitFor();
  await page.locator('[data-step="pick"]').click();
  const panel = page.getByTestId('step-panel');
  const compared = panel.getByRole('region', { name: 'candidates' });
  await compared.waitFor();
  const columns = compared.locator('.candidate');
  assert.equal(await columns.count(), 3);
  assert.match((await columns.nth(0).textContent()) ?? '', /pick#1.*failed/);
  assert.equal(await compared.getByText('picked', { exact: true }).count(), 1);
  // The candidate both reviewers approved is the one picked.
  assert.equal(await compared.locator('.candidate.picked').getAttribute('data-candidate'), 'pick#3');
  // Each candidate that ran to the end: both reviewers' votes and its check's output, in its own column.
  for (const id of ['pick#2', 'pick#3']) {
    const column = compared.locator(`[data-candidate="${id}"]`);
    await column.getByText(`${id}: 14 passing`).waitFor();
    assert.equal(await column.locator('.vote').count(), 2);
    await column.locator('.vote').filter({ hasText: 'gemini-reviewer' }).waitFor();
  }
  assert.match(
    (await compared.locator('[data-candidate="pick#3"] .vote').first().textContent()) ?? '',
    /gpt-reviewer approve \(90%\)/,
  );
  // The diff is collapsed until opened from the keyboard; then the step's diff route answers in place
  // (this harness has no git workspace, so it says why there is no diff).
  const diff = compared.locator('[data-candidate="pick#2"] details');
  assert.equal(await diff.getAttribute('open'), null);
  await diff.locator('summary').focus();
  await page.keyboard.press('Enter');
  await diff.getByText(/no recorded change of its own/).waitFor();
  await assertAccessible(page, 'candidates');
  await screenshots(page, artifacts, 'candidates');
  // Side by side at 1400 px; stacked one above the other at 400 px.
  const lefts = async () =>
    new Set(await columns.evaluateAll((all) => all.map((column) => column.getBoundingClientRect().left)));
  assert.equal((await lefts()).size, 3);
  await page.setViewportSize({ width: 400, height: 860 });
  assert.equal((await lefts()).size, 1);
  await compared.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, 'candidates-stacked-narrow.png') });
  await page.setViewportSize({ width: 1_400, height: 900 });
  await page.keyboard.press('Escape');
});

test('a 1,000-step plan stays usable: it draws, searches and collapses; its Gantt chart draws only what is seen', {
  skip,
}, async (t) => {
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
  await page.getByTestId('step-panel').getByRole('button', { name: 'close' }).click();
  await page.getByRole('button', { name: 'timeline', exact: true }).click();
  const timeline = page.getByTestId('timeline');
  await timeline.getByText(/^1000 steps/).waitFor();
  const drawn = await timeline.locator('.gantt-row').count();
  assert.ok(drawn > 10 && drawn < 80, `${drawn} rows drawn of 1000`);
  await timeline.locator('.gantt').evaluate((element) => {
    element.scrollTop = element.scrollHeight;
  });
  await timeline.locator('.gantt-row[data-step="step-999"]').waitFor();
  await assertAccessible(page, 'timeline of 1,000 steps');
  await screenshots(page, artifacts, 'timeline-1000');
  if (harness.engine.activeRun(created.runId)) harness.engine.cancel(created.runId);
  await handle.done;
  // Reported, not asserted: a wall-clock bound fails on a loaded machine; `npm run bench:stream` (Part 3)
  // measures the first render against its goal.
  t.diagnostic(`first paint ${firstPaint} ms; a frame while the run updates ${Math.round(responsive)} ms`);
});

test('the metrics view plots the numbers over time, with the table behind a toggle', { skip }, async () => {
  await page.getByRole('link', { name: 'Metrics' }).click();
  const metrics = page.getByTestId('metrics');
  await metrics.getByText('Steps finished and retried (totals)').waitFor();
  assert.ok((await metrics.locator('.plot canvas').count()) >= 6);
  assert.equal(await metrics.getByText('ai_collab_runs_finished_total').count(), 0);
  await assertAccessible(page, 'metrics');
  await screenshots(page, artifacts, 'metrics');
  await metrics.getByRole('button', { name: 'Show the numbers' }).click();
  await metrics.getByText('ai_collab_runs_finished_total').first().waitFor();
});

test('with permission, a notification says a plan waits for approval and that a run ended', {
  skip,
}, async () => {
  const tab = await context.newPage();
  try {
    // Record what the page asks the browser to show (headless Chromium draws nothing).
    await tab.addInitScript(`
      window.shownNotifications = [];
      const Real = window.Notification;
      window.Notification = class extends Real {
        constructor(title, options) { super(title, options); window.shownNotifications.push(title); }
      };
    `);
    await context.grantPermissions(['notifications'], { origin: harness.server.url });
    await tab.goto(harness.server.loginUrl());
    await tab.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    await tab.getByRole('button', { name: 'Notify me' }).click();
    await tab.getByRole('button', { name: 'Notifications on' }).waitFor();
    const created = approvalRun('notify-me');
    const handle = harness.engine.startRun(created.runId);
    const shown = async () => (await tab.evaluate('window.shownNotifications')) as string[];
    while (!(await shown()).some((title) => title.includes('waits for your approval')))
      await tab.waitForTimeout(50);
    harness.engine.decide(created.runId, { decision: 'approved', by: 'test' });
    await handle.done;
    while (!(await shown()).some((title) => title === 'Run "notify-me" succeeded'))
      await tab.waitForTimeout(50);
  } finally {
    await tab.close();
  }
});
