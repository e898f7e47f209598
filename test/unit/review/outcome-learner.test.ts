import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { type TestContext, test } from 'node:test';
import { EventDecoder } from '../../../src/engine/decode-events.js';
import type { RunEvent } from '../../../src/engine/events.js';
import { OutcomeLearner, type OutcomeLog } from '../../../src/review/outcome-learner.js';
import { outcomeLogOf } from '../../../src/review/outcome-log.js';
import { outcomeEventTypes, reviewOutcomes } from '../../../src/review/review-outcomes.js';
import { ReviewerReliability } from '../../../src/review/reviewer-reliability.js';
import { SqliteStore } from '../../../src/store/sqlite/sqlite-store.js';
import { silentLogger } from '../../../src/support/logger.js';
import { FakeClock } from '../../support/fake-clock.js';
import { stillInHeap } from '../../support/heap-strings.js';
import { tempDir } from '../../support/temp-dir.js';
import { planOf } from '../../support/test-engine.js';

// A long-lived process (`serve`) learns from runs that end while it runs, read from the event log in the
// real SQLite store: its own runs when their `run.finished` is committed, other processes' before the next
// review; each reviewed attempt once, however often its run's log is read.

type Body = Pick<RunEvent, 'type' | 'data'>;
const workspace = '/w';

function openLog() {
  const store = new SqliteStore({ path: join(tempDir(), 'state.db'), clock: new FakeClock() });
  const seqs = new Map<string, number>();
  return {
    store,
    log: outcomeLogOf(store, workspace),
    create(runId: string): void {
      store.createRun(
        {
          runId,
          name: runId,
          workspace,
          planFile: null,
          status: 'running',
          stepCount: 1,
          createdAt: seqs.size + 1,
          finishedAt: null,
          owner: null,
        },
        {
          runId,
          seq: 1,
          type: 'run.created',
          at: 1,
          data: { plan: planOf([]), workspace, planFile: null, concurrency: 1, failFast: false },
        },
      );
      seqs.set(runId, 1);
    },
    /** Appends the events; the last may end the run. Returns the last, as an engine observer is told it. */
    async append(runId: string, bodies: Body[]): Promise<RunEvent> {
      let last: RunEvent | undefined;
      for (const body of bodies) {
        const seq = (seqs.get(runId) ?? 0) + 1;
        seqs.set(runId, seq);
        last = { ...body, runId, seq, at: seq } as RunEvent;
        const ended = last.type === 'run.finished' ? last.data.status : undefined;
        store.enqueue({ event: last, ...(ended && { run: { status: ended, finishedAt: seq } }) });
      }
      await store.flush();
      assert.ok(last);
      return last;
    },
  };
}

/** alpha approves and gamma rejects `stepId`'s attempt 1; the review approves it. */
function approvedReview(stepId: string): Body[] {
  return [
    ...(['alpha', 'gamma'] as const).map(
      (reviewer): Body => ({
        type: 'step.review-vote',
        data: {
          stepId,
          attempt: 1,
          reviewer,
          vote: reviewer === 'alpha' ? 'approve' : 'reject',
          confidence: 0.9,
          reason: 'seeded',
        },
      }),
    ),
    {
      type: 'step.stage-passed',
      data: { stepId, attempt: 1, stage: 'review', detail: { verdict: 'approved', approvalShare: '0.5' } },
    },
  ];
}

const checkFailed = (stepId: string): Body => ({
  type: 'step.attempt-failed',
  data: {
    stepId,
    attempt: 1,
    error: { code: 'CHECK_FAILED', kind: 'transient', message: 'check `npm test` exited 1' },
    retryAt: 5_000,
  },
});

const finished = (status: 'succeeded' | 'failed'): Body => ({ type: 'run.finished', data: { status } });

/** `stepId`'s approved attempt merged and its run succeeded: its approvers were right, so far. */
const mergedInSucceededRun = (stepId: string): Body[] => [
  ...approvedReview(stepId),
  { type: 'step.succeeded', data: { stepId, attempt: 1, durationMs: 5 } },
  finished('succeeded'),
];

/** A log whose run r1's approved work merged and held, and a learner over it that has read nothing yet. */
async function learnerAfterMergedRun(t: TestContext) {
  const opened = openLog();
  t.after(() => opened.store.close());
  opened.create('r1');
  await opened.append('r1', mergedInSucceededRun('docs'));
  const reliability = new ReviewerReliability();
  return { ...opened, reliability, learner: new OutcomeLearner(reliability, opened.log, silentLogger) };
}

test('a run that ends while the process runs teaches the reviewers what became of the work they approved, once', async (t) => {
  // Before the process starts: one run whose approved work merged and held.
  const { create, append, reliability, learner } = await learnerAfterMergedRun(t);
  assert.equal(learner.catchUp(), 1, 'the ended run is read when the process starts');
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 1, disagreed: 0 });

  // While it runs, a run's approved work fails its check; until that run ends, nothing is decided.
  create('r2');
  await append('r2', [...approvedReview('parser'), checkFailed('parser')]);
  assert.equal(learner.catchUp(), 0);
  const ended = await append('r2', [
    { type: 'step.failed', data: { stepId: 'parser', attempt: 2, error: { code: 'X', message: 'no' } } },
    finished('failed'),
  ]);
  learner.onEvent(ended);
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 1, disagreed: 1 }, 'alpha approved bad work');
  assert.deepEqual(reliability.recordOf('gamma'), { agreed: 1, disagreed: 1 }, 'gamma rejected it, rightly');
  assert.ok(reliability.accuracyOf('gamma') === reliability.accuracyOf('alpha'));

  // Read again (the next review, or the run resumed and ended again): nothing is counted twice.
  assert.equal(learner.catchUp(), 0);
  learner.onEvent(await append('r2', [{ type: 'run.resumed', data: {} }, finished('failed')]));
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 1, disagreed: 1 });

  // A run another process ran and ended is learned before the next review.
  create('r3');
  await append('r3', [...approvedReview('api'), checkFailed('api'), finished('failed')]);
  learner.refresh();
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 1, disagreed: 2 });
  assert.deepEqual(reliability.recordOf('gamma'), { agreed: 2, disagreed: 1 });
  assert.ok(reliability.accuracyOf('gamma') > reliability.accuracyOf('alpha'));
});

test('a store that cannot be read does not fail the run that ended or the review', () => {
  const warnings: string[] = [];
  const learner = new OutcomeLearner(
    new ReviewerReliability(),
    {
      recentRuns: () => {
        throw new Error('database is locked');
      },
      events: () => [],
    },
    { ...silentLogger, warn: (message) => warnings.push(message) },
  );
  learner.onEvent({ type: 'run.finished', data: { status: 'succeeded' }, runId: 'r', seq: 9, at: 9 });
  learner.refresh();
  assert.equal(warnings.length, 2);
});

test('a succeeded run discarded later turns its approvers’ outcome around, counted once', async (t) => {
  const { append, reliability, learner } = await learnerAfterMergedRun(t);
  learner.catchUp();
  assert.deepEqual(
    reliability.recordOf('alpha'),
    { agreed: 1, disagreed: 0 },
    'merged in a run that succeeded',
  );
  // Another process (`ai-collab discard`) drops the run's work without applying it.
  await append('r1', [
    {
      type: 'run.discarded',
      data: { wasApplied: false, removedBranches: 1, removedWorktrees: 0, by: 'cli' },
    },
  ]);
  assert.equal(learner.catchUp(), 1);
  assert.deepEqual(
    reliability.recordOf('alpha'),
    { agreed: 0, disagreed: 1 },
    'alpha approved rejected work',
  );
  assert.deepEqual(reliability.recordOf('gamma'), { agreed: 1, disagreed: 0 }, 'gamma rejected it, rightly');
  assert.equal(learner.catchUp(), 0, 'read again: nothing counted twice');
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 0, disagreed: 1 });
});

test('a long-lived process remembers only the runs of the latest list, however many ended before', () => {
  const listed = 5;
  // Run ids are kept off the heap (as bytes), so only the learner could be holding them.
  const runIds: Buffer[] = [];
  const succeededWithApprovedWork = (runId: string): RunEvent[] =>
    mergedInSucceededRun('s1').map(
      (body, index) => ({ ...body, runId, seq: index + 1, at: index + 1 }) as RunEvent,
    );
  const log: OutcomeLog = {
    recentRuns: () =>
      runIds
        .slice(-listed)
        .reverse()
        .map((id) => ({ runId: id.toString(), status: 'succeeded', lastSeq: 5 })),
    events: succeededWithApprovedWork,
  };
  const reliability = new ReviewerReliability();
  const learner = new OutcomeLearner(reliability, log, silentLogger);
  for (let index = 0; index < 20; index++) {
    runIds.push(Buffer.from(`run-${randomUUID()}`));
    learner.onEvent({ type: 'run.finished', data: { status: 'succeeded' }, runId: 'latest', seq: 5, at: 5 });
  }
  learner.refresh();
  assert.deepEqual(reliability.recordOf('alpha'), { agreed: 20, disagreed: 0 }, 'each run learned from once');
  assert.equal(stillInHeap(runIds.slice(-listed)).length, listed, 'the listed runs are remembered');
  assert.deepEqual(stillInHeap(runIds.slice(0, -listed)), [], 'runs that left the list are forgotten');
});

test('the record reads only the events outcomes come from, and nothing of a run no reviewer voted in', async (t) => {
  const { store, log, create, append } = await learnerAfterMergedRun(t);
  // A run of many shell steps and no review: ten events per reviewed one would be read for nothing.
  create('shell');
  const steps = Array.from({ length: 50 }, (_, index): Body[] => [
    { type: 'step.started', data: { stepId: `s${index}`, attempt: 1, agent: 'shell' } },
    { type: 'step.succeeded', data: { stepId: `s${index}`, attempt: 1, durationMs: 5 } },
  ]).flat();
  await append('shell', [...steps, finished('succeeded')]);
  assert.deepEqual([...log.events('shell')], [], 'no event of the unreviewed run is read');

  const read = [...log.events('r1')];
  assert.ok(read.length > 0);
  const kinds: ReadonlyArray<string> = outcomeEventTypes;
  assert.ok(
    read.every((event) => kinds.includes(event.type)),
    'only kinds of event an outcome is read from',
  );
  const everything = new EventDecoder(silentLogger).decode(store.readEvents('r1'), 'r1');
  assert.deepEqual(
    reviewOutcomes(read),
    reviewOutcomes(everything),
    'the same outcomes as from the whole log',
  );
});
