/**
 * The extension in a real VS Code (code-server) driven through Debian's chromium: Plan Task from the
 * command palette, the Runs view updating live, Approve from the notification, Review Selection on a
 * selection. Screenshots go to the artifacts folder. usage: ui-e2e.ts <code-server url> <workspace> <artifacts>
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Page } from 'playwright-core';

const [base, workspace, artifacts] = process.argv.slice(2) as [string, string, string];
const step = (message: string): void => {
  process.stderr.write(`[ui-e2e ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
};

async function palette(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  const input = page.locator('.quick-input-widget input');
  await input.waitFor({ state: 'visible' });
  await input.fill(`>${title}`);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: title }).first().waitFor();
  await page.keyboard.press('Enter');
}

function toast(page: Page, text: string) {
  return page.locator('.notifications-toasts .notification-toast', { hasText: text }).first();
}

function runRow(page: Page, text: string) {
  return page.locator('.pane-body .monaco-list-row', { hasText: text });
}

async function main(): Promise<void> {
  const browser = await chromium.launch({
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-dev-shm-usage',
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
  const shot = (name: string) => page.screenshot({ path: join(artifacts, name) });
  try {
    await page.goto(`${base}/?folder=${encodeURIComponent(workspace)}`, { waitUntil: 'domcontentloaded' });
    await page.waitForSelector('.monaco-workbench', { timeout: 60_000 });
    step('workbench up; waiting for the extension’s status bar item');
    await page
      .locator('#workbench\\.parts\\.statusbar', { hasText: 'AI Collab' })
      .waitFor({ timeout: 60_000 });

    step('Plan Task from the command palette');
    await palette(page, 'AI Collab: Plan Task');
    const input = page.locator('.quick-input-widget input');
    await input.waitFor({ state: 'visible' });
    await input.fill('Write planned.txt and check that it exists');
    await page.keyboard.press('Enter');
    const approval = toast(page, 'is waiting for approval');
    await approval.waitFor({ timeout: 120_000 });
    step('approval notification shown; the Runs view shows the run');
    // Focus, not the activity-bar icon: the icon toggles, and Plan Task may already have opened the view.
    await palette(page, 'Focus on Runs View');
    await runRow(page, 'awaiting approval').first().waitFor({ timeout: 30_000 });
    await shot('01-plan-awaiting-approval.png');

    step('Approve from the notification');
    // A toast may have been tucked into the notification centre meanwhile: bring it back.
    if (!(await approval.isVisible())) await palette(page, 'Notifications: Show Notifications');
    await page
      .locator('.notification-list-item', { hasText: 'is waiting for approval' })
      .getByRole('button', { name: 'Approve' })
      .first()
      .click();
    // Live: the run goes running (its steps take a second each), then succeeded, without any refresh.
    await runRow(page, 'running').first().waitFor({ timeout: 30_000 });
    await shot('02-run-running.png');
    await runRow(page, 'succeeded · 2/2 steps').first().waitFor({ timeout: 60_000 });
    const run = runRow(page, 'vscode-e2e-planned').first();
    if ((await run.getAttribute('aria-expanded')) !== 'true') await run.click();
    await runRow(page, 'shell · succeeded').nth(1).waitFor({ timeout: 10_000 });
    await shot('03-run-succeeded.png');
    if (!existsSync(join(workspace, 'planned.txt')))
      throw new Error('the approved plan did not write planned.txt');

    step('Review Selection on add.ts');
    await page.keyboard.press('Control+P');
    const quickOpen = page.locator('.quick-input-widget input');
    await quickOpen.fill('add.ts');
    await page.locator('.quick-input-list .monaco-list-row', { hasText: 'add.ts' }).first().waitFor();
    await page.keyboard.press('Enter');
    const editor = page.locator('.editor-instance .monaco-editor .view-lines').first();
    await editor.waitFor();
    await editor.click();
    await page.keyboard.press('Control+A');
    await palette(page, 'AI Collab: Review Selection');
    await toast(page, 'AI Collab review: approved').waitFor({ timeout: 120_000 });
    await page.locator('.panel', { hasText: 'Review of add.ts' }).first().waitFor({ timeout: 10_000 });
    await shot('04-review-approved.png');
    step('PASS');
  } catch (error) {
    await shot('failure.png').catch(() => undefined);
    throw error;
  } finally {
    await browser.close();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    step(`FAIL ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
