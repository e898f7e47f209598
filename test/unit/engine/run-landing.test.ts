import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { describeEvent } from '../../../src/cli/output/plain-progress.js';
import { buildRunReport } from '../../../src/cli/run-report.js';
import { EventDecoder, replayLog } from '../../../src/engine/decode-events.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { recordLanding, refuseRepeatedLanding } from '../../../src/engine/landing-log.js';
import { landingReport, landingText } from '../../../src/engine/run-landing.js';
import type { RunState } from '../../../src/engine/run-state.js';
import { summarizeRun } from '../../../src/mcp/run-summary.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { InputError } from '../../../src/support/errors.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';
import { runCreatedBody } from '../../support/test-engine.js';

// What a person did with an ended run's work is in its log: `status`, MCP and the dashboard read it from the
// one projection, and `apply`/`discard` refuse to record it twice.

type Body = Pick<RunEvent, 'type' | 'data'>;

const created: Body = runCreatedBody();
const finished: Body = { type: 'run.finished', data: { status: 'succeeded' } };
const applied = (commit: string): Body => ({
  type: 'run.applied',
  data: { branch: 'main', how: 'fast-forward', from: 'a'.repeat(40), commit, files: 2, by: 'cli' },
});
const discardedAfter = (wasApplied: boolean): Body => ({
  type: 'run.discarded',
  data: { wasApplied, removedBranches: 1, removedWorktrees: 0, by: 'cli' },
});
const discarded = discardedAfter(true);

function stateOf(bodies: Body[]): RunState {
  const events = bodies.map((body, index) => ({ ...body, runId: 'r1', seq: index + 1, at: 100 + index }));
  const state = replayLog(events as RunEvent[]);
  assert.ok(state);
  return state;
}

test('the first apply in the log is what the run shows; a later discard is a clean-up after it', () => {
  const state = stateOf([created, finished, applied('c'.repeat(40)), applied('d'.repeat(40)), discarded]);
  assert.equal(state.status, 'succeeded', 'landing does not change how the run ended');
  assert.equal(state.applied?.commit, 'c'.repeat(40));
  assert.equal(state.applied?.at, 102);
  assert.equal(
    landingText(state),
    'applied to main at cccccccccc (fast-forward, 2 files) by cli; discarded by cli (its branches removed after it was applied)',
  );
  assert.equal(landingReport(state).landing, 'applied');
  assert.deepEqual(landingReport(stateOf([created, finished])), {}, 'an old log shows neither');
  // The same words and fields in every front end: MCP get_run, status --json, the progress lines.
  assert.equal(summarizeRun(state, false).landed, landingText(state));
  assert.equal(buildRunReport(state).applied?.branch, 'main');
  const event = { ...applied('c'.repeat(40)), runId: 'r1', seq: 3, at: 102 } as RunEvent;
  assert.match(describeEvent(event, state) ?? '', /applied to main at cccccccccc/);
});

test('a discarded run refuses apply and discard; an applied one refuses apply but may be discarded', () => {
  const dropped = stateOf([created, finished, discardedAfter(false)]);
  assert.equal(landingReport(dropped).landing, 'discarded');
  assert.match(landingText(dropped) ?? '', /never applied: its changes are gone/);
  for (const type of ['run.applied', 'run.discarded'] as const) {
    assert.throws(
      () => refuseRepeatedLanding(dropped, type),
      (error) => error instanceof InputError && /already discarded/.test(error.message),
    );
  }
  const landed = stateOf([created, finished, applied('c'.repeat(40))]);
  assert.throws(() => refuseRepeatedLanding(landed, 'run.applied'), /already applied to main/);
  refuseRepeatedLanding(landed, 'run.discarded');
});

test('a landing is appended only if nothing was appended since the log was read', (t) => {
  const store = new SqliteStore({ path: join(tempDir(), 'state.db'), clock: new FakeClock() });
  t.after(() => store.close());
  store.createRun(
    {
      runId: 'r1',
      name: 'p',
      workspace: '/w',
      planFile: null,
      status: 'succeeded',
      stepCount: 0,
      createdAt: 1,
      finishedAt: 2,
      owner: null,
    },
    [
      { runId: 'r1', seq: 1, at: 1, ...created },
      { runId: 'r1', seq: 2, at: 2, ...finished },
    ],
  );
  const deps = { store, clock: new FakeClock() };
  const landing = applied('c'.repeat(40)) as Extract<Body, { type: 'run.applied' }>;
  recordLanding(deps, 'r1', { status: 'succeeded', lastSeq: 2 }, landing);
  // A second command that read the log before the first one's event: refused, nothing appended.
  assert.throws(
    () => recordLanding(deps, 'r1', { status: 'succeeded', lastSeq: 2 }, landing),
    /changed while its work was being applied/,
  );
  const events = [...new EventDecoder(silentLogger).decode(store.readEvents('r1'), 'r1')];
  assert.deepEqual(
    events.map((event) => event.type),
    ['run.created', 'run.finished', 'run.applied'],
  );
});
