/** Routes that read: runs, a run's state and plan, events since a seq, a step's attempts, output and diff. */

import { isKnownEvent, type UnknownEvent } from '../../engine/decode-events.js';
import { type StepState, stepsStillToRun } from '../../engine/run-state.js';
import { planToYaml } from '../../plan/plan-to-yaml.js';
import { stripRunId } from '../stream/hub-port.js';
import type { RunFeed } from '../stream/run-feed.js';
import { AttemptLog } from '../stream/step-attempts.js';
import type { WireEvent } from '../stream/stream-protocol.js';
import { HttpError } from './http-io.js';
import { type ApiContext, intParameter } from './route-context.js';
import type { Route } from './router.js';
import { maxOutputBytes, readStepOutput } from './step-output.js';

export function readRoutes(api: ApiContext): Route[] {
  return [...runRoutes(api), ...stepRoutes(api)];
}

/** Health, the runs list, a run's state and plan, and its events since a seq. */
function runRoutes(api: ApiContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/health',
      access: 'token',
      handle: () => ({
        body: { ok: true, version: api.version, pid: process.pid, startedAt: api.startedAt },
      }),
    },
    {
      method: 'GET',
      path: '/api/runs',
      access: 'token',
      handle: () => ({ body: { runs: api.watcher.list() } }),
    },
    {
      method: 'GET',
      path: '/api/runs/:runId',
      access: 'token',
      handle: ({ params }) => {
        const feed = feedOf(api, params.runId);
        return { body: { seq: feed.lastSeq, state: feed.state } };
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:runId/plan',
      access: 'token',
      handle: ({ params }) => {
        const { state } = feedOf(api, params.runId);
        return {
          body: {
            status: state.status,
            approvalReason: state.approvalReason ?? null,
            plan: state.plan,
            yaml: planToYaml(state.plan),
            // What the steps still to run will likely cost (from past steps), for the approval view.
            forecast: api.engine.forecast(stepsStillToRun(state)),
            budget: state.budget ?? null,
          },
        };
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:runId/events',
      access: 'token',
      // `since` is the documented name; `after` is what the dashboard sends. Both mean "seq greater than".
      query: ['since', 'after', 'limit'],
      handle: ({ params, url }) => {
        const feed = feedOf(api, params.runId);
        const seqBounds = { min: 0, max: Number.MAX_SAFE_INTEGER };
        const after = intParameter(url, 'since', seqBounds) ?? intParameter(url, 'after', seqBounds) ?? 0;
        const limit = intParameter(url, 'limit', { min: 1, max: 5_000, fallback: 1_000 }) ?? 1_000;
        const events: Array<WireEvent | Omit<UnknownEvent, 'runId'>> = [];
        // An event of a type this version does not know stays in the page, shown as unknown: the page is
        // gap-free and `more` is right even when the log ends with one.
        for (const event of api.decoder.decode(api.store.readEvents(feed.runId, after), feed.runId)) {
          if (event.seq > feed.lastSeq || events.length >= limit) break;
          events.push(isKnownEvent(event) ? stripRunId(event) : unknownOnWire(event));
        }
        const last = events[events.length - 1]?.seq ?? after;
        return { body: { events, lastSeq: feed.lastSeq, more: last < feed.lastSeq } };
      },
    },
  ];
}

/** A step's state, attempts, output and diff. */
function stepRoutes(api: ApiContext): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/runs/:runId/steps/:stepId',
      access: 'token',
      handle: ({ params }) => {
        const feed = feedOf(api, params.runId);
        const step = stepOf(feed, params.stepId);
        return { body: { step, attempts: attemptsOf(api, feed, step.id) } };
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:runId/steps/:stepId/output',
      access: 'token',
      query: ['attempt', 'offset', 'length'],
      handle: async ({ params, url }) => {
        const feed = feedOf(api, params.runId);
        const step = stepOf(feed, params.stepId);
        const attempts = attemptsOf(api, feed, step.id);
        const wanted = intParameter(url, 'attempt', { min: 1, max: 100_000 }) ?? step.attempts;
        const attempt = attempts.find((entry) => entry.attempt === wanted);
        if (!attempt?.logFile) throw new HttpError(404, 'OUTPUT_NOT_FOUND', `attempt ${wanted} has no log`);
        const offset = intParameter(url, 'offset', { min: 0, max: Number.MAX_SAFE_INTEGER });
        const length = intParameter(url, 'length', { min: 1, max: maxOutputBytes, fallback: 64 * 1024 }) ?? 0;
        const range = await readStepOutput(api.stateDir, feed.runId, attempt.logFile, {
          length,
          ...(offset !== undefined && { offset }),
        });
        return { body: { attempt: wanted, running: attempt.outcome === 'running', ...range } };
      },
    },
    {
      method: 'GET',
      path: '/api/runs/:runId/steps/:stepId/diff',
      access: 'token',
      handle: async ({ params }) => {
        const feed = feedOf(api, params.runId);
        return { body: await api.diff(feed.state, stepOf(feed, params.stepId)) };
      },
    },
  ];
}

export function feedOf(api: ApiContext, runId: string | undefined): RunFeed {
  const feed = runId === undefined ? undefined : api.feeds.get(runId);
  if (!feed) throw new HttpError(404, 'RUN_NOT_FOUND', `no run ${runId}`);
  return feed;
}

function stepOf(feed: RunFeed, stepId: string | undefined): StepState {
  const step = stepId === undefined ? undefined : feed.state.steps[stepId];
  if (!step) throw new HttpError(404, 'STEP_NOT_FOUND', `run ${feed.runId} has no step ${stepId}`);
  return step;
}

function attemptsOf(api: ApiContext, feed: RunFeed, stepId: string) {
  const log = new AttemptLog(stepId);
  for (const event of api.decoder.decode(api.store.readEvents(feed.runId), feed.runId)) {
    if (isKnownEvent(event)) log.add(event);
  }
  return log.attempts;
}

function unknownOnWire({ runId: _runId, ...event }: UnknownEvent): Omit<UnknownEvent, 'runId'> {
  return event;
}
