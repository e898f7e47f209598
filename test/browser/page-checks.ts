/**
 * What every dashboard view is held to in the browser tests: axe-core finds no serious or critical
 * WCAG 2.1 A/AA violation (contrast included), and screenshots at 1400×900 and 400 px wide are kept in
 * .artifacts/ for people (and CI) to look at.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Locator, Page } from 'playwright-core';

const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

interface Violation {
  id: string;
  impact: string;
  help: string;
  nodes: string[];
}

/** Runs axe on the page as it is; fails with each serious or critical violation and where it is. */
export async function assertAccessible(page: Page, view: string): Promise<void> {
  // Evaluated through the DevTools protocol, which the page's CSP (no inline scripts) does not govern.
  if (!(await page.evaluate('typeof window.axe !== "undefined"'))) await page.evaluate(axeSource);
  const violations = (await page.evaluate(`
    axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] } })
      .then((result) => result.violations
        .filter((violation) => violation.impact === 'serious' || violation.impact === 'critical')
        .map((violation) => ({
          id: violation.id,
          impact: violation.impact,
          help: violation.help,
          nodes: violation.nodes.slice(0, 4).map((node) => node.target.join(' ') + ' — ' + (node.failureSummary || '').split('\\n')[1]),
        })))
  `)) as Violation[];
  assert.deepEqual(
    violations.map(
      (violation) =>
        `${violation.id} (${violation.impact}): ${violation.help}\n    ${violation.nodes.join('\n    ')}`,
    ),
    [],
    `the ${view} view has accessibility violations`,
  );
}

/**
 * Screenshots of the view at 1400×900 and at 400 px wide (`<name>.png`, `<name>-narrow.png`); at 400 px
 * the page stacks, so `shown` (when given) is scrolled into view first for the narrow one to show it.
 */
export async function screenshots(
  page: Page,
  artifacts: string,
  name: string,
  shown?: Locator,
): Promise<void> {
  await page.setViewportSize({ width: 1_400, height: 900 });
  await page.screenshot({ path: join(artifacts, `${name}.png`) });
  await page.setViewportSize({ width: 400, height: 860 });
  await shown?.scrollIntoViewIfNeeded();
  await page.screenshot({ path: join(artifacts, `${name}-narrow.png`) });
  await page.setViewportSize({ width: 1_400, height: 900 });
}
