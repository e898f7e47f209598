/** Text from plans, agents and models reaches the terminal inert: escape sequences are shown, never run. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import pc from 'picocolors';
import { main } from '../../../src/cli/main.js';
import { renderLiveFrame } from '../../../src/cli/output/live-frame.js';
import { describeEvent } from '../../../src/cli/output/plain-progress.js';
import { renderPlanOverview } from '../../../src/cli/output/plan-overview.js';
import { reviewText } from '../../../src/cli/output/review-text.js';
import { renderSummary } from '../../../src/cli/output/run-summary.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { applyEvent, createRunState } from '../../../src/engine/projection.js';
import type { CodeReview } from '../../../src/review/review-code.js';
import { terminalSafe } from '../../../src/support/control-characters.js';
import { InputError } from '../../../src/support/errors.js';
import { planOf, runCreatedBody } from '../../support/test-engine.js';

const colors = pc.createColors(false);
/** Red text, a window title, a screen clear, and a right-to-left override: what a hostile agent prints. */
const hostile = 'boom\u001b[31m red\u001b]0;pwned\u0007\u001b[2J\u202eevil\u009b1m';
const shown = 'boom\\x1b[31m red\\x1b]0;pwned\\x07\\x1b[2J\\u202eevil\\x9b1m';
const owner = { pid: 1, startTime: '1', bootId: 'b', host: 'h' };

/** No control character but tab and line feed, and no bidi formatting character: nothing a terminal acts on. */
function assertInert(text: string, where: string): void {
  const acting = [...text].filter((character) => {
    const code = character.codePointAt(0) ?? 0;
    if (code === 0x09 || code === 0x0a) return false;
    return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code >= 0x202a && code <= 0x202e);
  });
  assert.deepEqual(acting, [], where);
}

/** Our own colours aside (review text uses the process-wide picocolors), nothing hostile acts. */
function assertHostilePartsInert(text: string, where: string): void {
  for (const part of ['\u001b[31m red', '\u001b]0;', '\u001b[2J', '\u202e', '\u009b', '\u0007'])
    assert.equal(text.includes(part), false, `${where}: ${JSON.stringify(part)}`);
}

function hostileRun() {
  const plan = planOf([{ id: 'agent-step', label: `a${hostile}`, agent: `x${hostile}` }], {
    name: `n${hostile}`,
  });
  const state = createRunState({ ...runCreatedBody(plan), runId: 'r1', seq: 1, at: 0 });
  const events = [
    { type: 'run.started', at: 0, data: { owner, resumed: false } },
    { type: 'step.started', at: 0, data: { stepId: 'agent-step', attempt: 1, agent: 'x' } },
    {
      type: 'step.failed',
      at: 10,
      data: { stepId: 'agent-step', attempt: 1, error: { code: 'EXIT_CODE', message: hostile } },
    },
  ] as Array<Omit<RunEvent, 'runId' | 'seq'>>;
  const applied = events.map((event, index) => ({ ...event, runId: 'r1', seq: index + 2 }) as RunEvent);
  for (const event of applied) applyEvent(state, event);
  return { plan, state, failed: applied[2] as RunEvent };
}

test('the sanitiser shows control and bidi characters as escapes and keeps tabs, line feeds and text', () => {
  assert.equal(terminalSafe(hostile), shown);
  assert.equal(terminalSafe('plain\ttext\nnext line, ünïcödé ✔'), 'plain\ttext\nnext line, ünïcödé ✔');
});

test('the live view, progress lines, the summary and the plan overview print hostile text inert', () => {
  const { plan, state, failed } = hostileRun();
  const outputs = {
    live: renderLiveFrame(state, { now: 20, width: 400, height: 20, frame: 0, colors }),
    progress: describeEvent(failed, state) ?? '',
    summary: renderSummary(state, { colors, now: 20, cwd: '/w', logsDir: '/w/logs' }),
    overview: renderPlanOverview(
      { ...plan, meta: { rationale: hostile, risks: [{ severity: 'high', description: hostile }] } },
      colors,
      hostile,
    ),
  };
  for (const [where, text] of Object.entries(outputs)) {
    assertInert(text, where);
    assert.ok(text.includes('\\x1b[31m'), `${where} shows the escape visibly`);
  }
  assert.ok(outputs.progress.includes(shown), 'the error message is shown whole, escaped');
});

test('review text prints reviewers, reasons and quotes inert', () => {
  const review = {
    verdict: 'rejected',
    kind: 'code',
    cached: false,
    stoppedEarly: false,
    rule: { threshold: 0.6 },
    tally: { approvals: 0, rejections: 1, abstentions: 0 },
    result: { score: 0, calls: 1, problem: hostile },
    votes: [{ reviewer: hostile, vote: 'reject', confidence: 1, reason: hostile, evidence: [hostile] }],
  } as unknown as CodeReview;
  const text = reviewText(review, `file${hostile}`);
  assertHostilePartsInert(text, 'review');
  assert.ok(text.includes(shown));
});

test('error messages that quote input are printed inert', async () => {
  let stderr = '';
  const streams = {
    stdout: { write: () => true } as unknown as NodeJS.WriteStream,
    stderr: {
      write: (text: string) => {
        stderr += text;
        return true;
      },
    } as unknown as NodeJS.WriteStream,
  };
  const code = await main(['node', 'ai-collab', 'runs'], {
    cwd: '/',
    environment: {},
    streams,
    loadConfig: () => {
      throw new InputError('CONFIG_INVALID', `invalid configuration ${hostile}`, [`agents: ${hostile}`]);
    },
    agentCatalog: () => {
      throw new Error('unused');
    },
    openRuntime: () => {
      throw new Error('unused');
    },
  });
  assert.equal(code, 2);
  assertInert(stderr, 'stderr');
  assert.ok(stderr.includes(`invalid configuration ${shown}`));
});
