/**
 * Runs the extension's own tests inside the real extension host: opens the workbench with
 * extensionDevelopmentPath + extensionTestsPath in the payload, then waits for the result file the tests
 * write (the page closes itself when they finish). usage: host-tests.ts <url> <workspace> <dev path> <tests path> <result file> <screenshot>
 */
import { existsSync, readFileSync } from 'node:fs';
import { chromium } from 'playwright-core';

const [base, workspace, devPath, testsPath, resultFile, screenshot] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string,
  string,
];

async function main(): Promise<string> {
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
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  page.on('console', (message) => {
    if (message.type() === 'error') process.stderr.write(`[browser] ${message.text().slice(0, 300)}\n`);
  });
  const host = new URL(base).host;
  const payload = JSON.stringify([
    ['extensionDevelopmentPath', `vscode-remote://${host}${devPath}`],
    ['extensionTestsPath', `vscode-remote://${host}${testsPath}`],
  ]);
  try {
    await page.goto(
      `${base}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(payload)}`,
    );
    const deadline = Date.now() + 60_000;
    while (!existsSync(resultFile)) {
      if (Date.now() > deadline) throw new Error('the extension-host tests wrote no result within 60 s');
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    await page.screenshot({ path: screenshot }).catch(() => undefined);
    return readFileSync(resultFile, 'utf8');
  } finally {
    await browser.close();
  }
}

main().then(
  (result) => {
    process.stderr.write(result);
    process.exit(result.startsWith('PASS') ? 0 : 1);
  },
  (error: unknown) => {
    process.stderr.write(`host tests: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
