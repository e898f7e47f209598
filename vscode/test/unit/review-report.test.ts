import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dashboardHtml, escapeHtml } from '../../src/dashboard/dashboard-html.js';
import { formatReviewReport, reviewHeadline } from '../../src/review/review-report.js';
import { summaryOf } from '../support/run-events.js';

test('the review report names the verdict, the score and every vote', () => {
  const report = formatReviewReport(
    {
      verdict: 'rejected',
      score: 0.25,
      votes: [
        { reviewer: 'alpha', vote: 'reject', confidence: 0.9, reason: 'divides\nby zero' },
        { reviewer: 'beta', vote: 'approve', confidence: 0.3, reason: 'fine' },
      ],
    },
    'src/a.ts:3-9',
  );
  assert.match(report, /^Review of src\/a\.ts:3-9: REJECTED \(approval score 0\.25, 2 votes\)/);
  assert.match(report, /alpha: reject \(confidence 0\.90\) divides by zero/);
  assert.match(report, /beta: approve \(confidence 0\.30\) fine/);
  assert.equal(
    reviewHeadline({ verdict: 'approved', score: 1, votes: [] }),
    'AI Collab review: approved (score 1.00, 0 votes)',
  );
  assert.match(
    formatReviewReport({ verdict: 'rejected', score: 0, votes: [], problem: 'all abstained' }, 'x'),
    /Not an approval: all abstained/,
  );
});

test('the dashboard webview escapes run data and allows only its nonce’d script', () => {
  const html = dashboardHtml(
    [{ summary: { ...summaryOf('r1', 'running'), name: '<img src=x onerror=alert(1)>' } }],
    'N0NCE',
    'vscode-resource:',
  );
  assert.ok(!html.includes('<img src=x'));
  assert.ok(html.includes(escapeHtml('<img src=x onerror=alert(1)>')));
  assert.match(html, /script-src 'nonce-N0NCE'/);
  assert.match(html, /default-src 'none'/);
  assert.equal((html.match(/<script/g) ?? []).length, 1);
});
