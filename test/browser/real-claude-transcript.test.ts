/**
 * The transcript of a step the REAL Claude Code CLI ran against the scripted model, as a person sees it in
 * the dashboard `ai-collab serve` serves: the agent's words, its Write call summarised by the file it wrote,
 * the result collapsed to one line, usage and cost at the end, and the raw stream-json behind a toggle.
 * Passes axe-core; screenshots at 1400×900 and 400 px wide go to .artifacts/.
 */
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { claudeConfigYaml, createFileScript } from '../integration/claude-harness.js';
import { agentCliMissing } from '../support/agent-cli-env.js';
import { type CliProcess, runCli, startCli, waitFor } from '../support/cli.js';
import { type ModelServer, startModelServer } from '../support/model-server/index.js';
import { tempDir } from '../support/temp-dir.js';
import { artifacts, browserMissing, openBrowser } from './browser-session.js';
import { assertAccessible, screenshots } from './page-checks.js';

const skip = browserMissing || agentCliMissing('claude');
const loginLink = /http:\/\/127\.0\.0\.1:\d+\/#login=[0-9a-f]{48}/;

let model: ModelServer;
let served: CliProcess;
let context: BrowserContext;
let page: Page;
const directories: string[] = [];

before(async () => {
  if (skip) return;
  mkdirSync(artifacts, { recursive: true });
  model = await startModelServer({ script: createFileScript((directory) => directories.push(directory)) });
});

after(async () => {
  await context?.close();
  if (served && served.child.exitCode === null) served.child.kill('SIGTERM');
  await served?.result;
  await model?.close();
});

test("a real claude step's transcript in the dashboard: its words, the Write call by its file, the result in one line, usage and cost, the raw stream", {
  skip,
}, async () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `killGrace: 1s\nagents:\n${claudeConfigYaml(model.url)}`,
  );
  writeFileSync(
    join(workspace, 'plan.yaml'),
    'name: write-notes\nsteps:\n  - { id: notes, agent: claude, action: write, prompt: "CREATE-FILE notes.txt" }\n',
  );
  const ran = await runCli(['run', 'plan.yaml', '--yes', '--no-review'], { cwd: workspace });
  assert.equal(ran.code, 0, ran.stderr);
  assert.equal(directories.length, 1, 'claude named its working directory once');

  served = startCli(['serve'], { cwd: workspace });
  await waitFor(
    () => loginLink.test(served.stderrSoFar()) || served.child.exitCode !== null,
    'the sign-in link on stderr',
  );
  const link = loginLink.exec(served.stderrSoFar())?.[0];
  assert.ok(link, `no sign-in link: ${served.stderrSoFar()}`);
  ({ context, page } = await openBrowser(link));

  // As a person finds it: the run in the list, then the step in its graph.
  await page.getByTestId('runs').getByText('write-notes').first().click();
  await page.locator('[data-step="notes"][data-status="succeeded"]').click();
  const transcript = page.getByTestId('transcript');
  await transcript.locator('.message').filter({ hasText: 'Created the file. DONE' }).waitFor();
  const tools = transcript.locator('.tool');
  assert.equal(await tools.count(), 1);
  // Summarised by the file it wrote, in the step's worktree, and its size (the content ends in a newline).
  assert.equal(await tools.first().locator('.tool-name').textContent(), 'Write');
  assert.equal(
    await tools.first().locator('.tool-summary').textContent(),
    `${join(directories[0] ?? '', 'notes.txt')} · 2 lines`,
  );
  // The result is one line until opened.
  const result = tools.first().locator('details.tool-result');
  assert.equal(await result.getAttribute('open'), null);
  assert.equal(((await result.locator('summary').textContent()) ?? '').trim().split('\n').length, 1);
  await result.locator('summary').click();
  await result
    .locator('pre')
    .filter({ hasText: /notes\.txt/ })
    .waitFor();
  // Usage and cost close the conversation; Claude Code prices the scripted model's tokens itself.
  assert.match(
    (await transcript.locator('.transcript-end').textContent()) ?? '',
    /1 tool call.*[\d,]+ tokens in · [\d,]+ out · \$\d+\.\d{4}/,
  );
  await assertAccessible(page, 'real claude transcript');
  await screenshots(page, artifacts, 'transcript-real-claude', transcript);
  // Behind the toggle: Claude Code's own stream-json, as it wrote it.
  await transcript.getByRole('button', { name: 'Raw log' }).click();
  await page.getByTestId('step-output').filter({ hasText: '"subtype":"init"' }).waitFor();
  await page.getByTestId('step-output').filter({ hasText: '"name":"Write"' }).waitFor();
  await assertAccessible(page, 'real claude raw log');
  await screenshots(page, artifacts, 'transcript-real-claude-raw', transcript);
});
