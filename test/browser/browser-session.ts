/**
 * The browser every dashboard test drives: Debian's Chromium through playwright-core, headless, at
 * 1400×900, signed in to the test server through its one-time link. Skipped without a browser or a built
 * dashboard (a failure in CI, with AI_COLLAB_REQUIRE_BROWSER=1).
 */
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { findExecutable, skipWhenMissing } from '../support/prerequisites.js';

const root = new URL('../../', import.meta.url).pathname;
/** Where screenshots go (CI keeps them as artifacts). */
export const artifacts = join(root, '.artifacts');

const chromiumPath = findExecutable([
  ...(process.env.AI_COLLAB_CHROMIUM ? [process.env.AI_COLLAB_CHROMIUM] : []),
  'chromium',
  'chromium-browser',
  'google-chrome',
]);
const built = existsSync(join(root, 'dist/web/index.html'));

export const browserMissing = skipWhenMissing(
  !chromiumPath
    ? 'no chromium on PATH (apt-get install -y chromium, or set AI_COLLAB_CHROMIUM)'
    : !built
      ? 'the dashboard is not built (npm run build:web)'
      : undefined,
  { required: process.env.AI_COLLAB_REQUIRE_BROWSER === '1' },
);

export async function openBrowser(loginUrl: string): Promise<{ context: BrowserContext; page: Page }> {
  // The profile goes when the browser has closed, not at the end of whichever test happened to open it:
  // removing it under a live browser races its writes (ENOTEMPTY).
  const profile = mkdtempSync(join(tmpdir(), 'ai-collab-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    ...(chromiumPath && { executablePath: chromiumPath }),
    headless: true,
    viewport: { width: 1_400, height: 900 },
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
  // Chromium's helper processes may still write caches for a moment after the context closes: retry, and
  // leave the folder in the temp directory rather than fail a test that has passed.
  context.once('close', () => {
    rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 200 }).catch(() => {});
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (message) => {
    if (message.type() === 'error') process.stderr.write(`browser console: ${message.text()}\n`);
  });
  await page.goto(loginUrl);
  await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
  return { context, page };
}
