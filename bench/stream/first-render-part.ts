/**
 * Part 3: how soon a person sees a 1,000-step run. The run is executed to its end (so the dashboard loads
 * its whole state), then Chromium opens the run's page from a blank tab, again and again; the time is
 * from the start of navigation to the first drawn step of the graph, as the page's own clock says.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { chromium } from 'playwright-core';
import { layeredPlan, startFixture } from './stream-fixture.js';

const chromiumPath = '/usr/bin/chromium';
const webRoot = new URL('../../dist/web/index.html', import.meta.url).pathname;

export interface FirstRenderResult {
  steps: number;
  samples: number[];
  medianMs: number;
}

/** Why the part cannot run here, or undefined when it can. */
export function firstRenderUnavailable(): string | undefined {
  if (!existsSync(chromiumPath)) return `${chromiumPath} is missing`;
  if (!existsSync(webRoot)) return 'the dashboard is not built (npm run build:web)';
  return undefined;
}

export async function measureFirstRender(
  stateDir: string,
  steps: number,
  loads: number,
): Promise<FirstRenderResult> {
  const fixture = await startFixture(stateDir, () => ({ durationMs: 1 }));
  const browser = await chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
  try {
    const created = fixture.engine.createRun({
      plan: { ...layeredPlan(steps, 40, 'first-render'), concurrency: 16 },
      workspace: join(stateDir, 'workspace'),
      planFile: null,
    });
    await fixture.engine.startRun(created.runId).done;
    const page = await browser.newPage({ viewport: { width: 1_400, height: 900 } });
    await page.goto(fixture.server.loginUrl());
    await page.getByTestId('connection').filter({ hasText: 'live' }).waitFor();
    const samples: number[] = [];
    for (let load = 0; load < loads; load++) {
      await page.goto('about:blank');
      await page.goto(`${fixture.server.url}/#/runs/${created.runId}`);
      await page.locator('.node').first().waitFor();
      samples.push(Math.round((await page.evaluate('performance.now()')) as number));
    }
    const sorted = [...samples].sort((a, b) => a - b);
    return { steps, samples, medianMs: sorted[Math.floor(sorted.length / 2)] ?? 0 };
  } finally {
    await browser.close();
    await fixture.close();
  }
}
