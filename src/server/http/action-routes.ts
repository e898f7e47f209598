/**
 * Routes that change things: approve (optionally with an edited plan) or reject a plan, pause, resume or
 * cancel a run, retry a step. Each maps to one engine call; the engine decides what is allowed.
 */
import { z } from 'zod';
import { isSameProcessAlive } from '../../agents/process/proc-table.js';
import { parsePlanText } from '../../plan/load-plan.js';
import type { PlanDefinition } from '../../protocol/plan-types.js';
import { HttpError } from './http-io.js';
import { feedOf } from './read-routes.js';
import { type ApiContext, parseBody } from './route-context.js';
import type { Route } from './router.js';

const by = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\w .@:-]+$/)
  .optional();
const decisionBody = z.strictObject({
  reason: z.string().max(4_000).optional(),
  /** The edited plan as YAML or JSON text (approve only). */
  plan: z
    .string()
    .max(32 * 1024 * 1024)
    .optional(),
  by,
});
const actionBody = z.strictObject({ by });
const budgetBody = z
  .strictObject({
    usd: z.number().positive().max(1_000_000).optional(),
    tokens: z.number().int().positive().max(1e12).optional(),
    by,
  })
  .refine((body) => body.usd !== undefined || body.tokens !== undefined, 'give usd, tokens or both');

export function actionRoutes(api: ApiContext): Route[] {
  const control = (path: string, act: (runId: string, who: string) => void): Route => ({
    method: 'POST',
    path: `/api/runs/:runId/${path}`,
    access: 'token',
    handle: async ({ params, body }) => {
      const { by: who = 'dashboard' } = parseBody(actionBody, await body());
      const runId = feedOf(api, params.runId).runId;
      whereItRuns(api, runId);
      act(runId, who);
      return { body: { ok: true } };
    },
  });
  return [
    {
      method: 'POST',
      path: '/api/runs/:runId/approve',
      access: 'token',
      handle: async ({ params, body }) => decide(api, params.runId, 'approved', await body()),
    },
    {
      method: 'POST',
      path: '/api/runs/:runId/reject',
      access: 'token',
      handle: async ({ params, body }) => decide(api, params.runId, 'rejected', await body()),
    },
    control('pause', (runId) => api.engine.pause(runId)),
    control('resume', (runId) => api.engine.resume(runId)),
    {
      method: 'POST',
      path: '/api/runs/:runId/cancel',
      access: 'token',
      handle: async ({ params, body }) => {
        const { by: who = 'dashboard' } = parseBody(actionBody, await body());
        const feed = feedOf(api, params.runId);
        if (feed.state.status !== 'awaiting_approval') whereItRuns(api, feed.runId);
        api.engine.cancel(feed.runId, who);
        return { body: { ok: true } };
      },
    },
    {
      // Sets (raises) the run's budget; a run paused at its budget continues in this process.
      method: 'POST',
      path: '/api/runs/:runId/budget',
      access: 'token',
      handle: async ({ params, body }) => {
        const { by: who = 'dashboard', usd, tokens } = parseBody(budgetBody, await body());
        const feed = feedOf(api, params.runId);
        const change = { ...(usd !== undefined && { usd }), ...(tokens !== undefined && { tokens }) };
        const handle = await api.engine.setBudget(feed.runId, change, who);
        return { body: { ok: true, started: handle !== undefined } };
      },
    },
    {
      method: 'POST',
      path: '/api/runs/:runId/steps/:stepId/retry',
      access: 'token',
      handle: async ({ params, body }) => {
        const { by: who = 'dashboard' } = parseBody(actionBody, await body());
        const feed = feedOf(api, params.runId);
        const handle = await api.engine.retryStep(feed.runId, params.stepId ?? '', who);
        return { body: { ok: true, reopened: handle !== undefined } };
      },
    },
  ];
}

async function decide(
  api: ApiContext,
  runIdParam: string | undefined,
  decision: 'approved' | 'rejected',
  rawBody: unknown,
) {
  const body = parseBody(decisionBody, rawBody);
  const runId = feedOf(api, runIdParam).runId;
  let plan: PlanDefinition | undefined;
  if (body.plan !== undefined) {
    if (decision === 'rejected')
      throw new HttpError(400, 'BAD_REQUEST', 'only an approval carries an edited plan');
    plan = parsePlanText(body.plan, 'edited-plan.yaml', { agents: api.agentCatalog });
  }
  const outcome = await api.engine.decideRun(runId, {
    decision,
    by: body.by ?? 'dashboard',
    ...(body.reason !== undefined && { reason: body.reason }),
    ...(plan !== undefined && { plan }),
  });
  if (!outcome.counted)
    throw new HttpError(409, 'ALREADY_DECIDED', `run ${runId} was already decided by someone else`);
  const started = outcome.decision === 'approved' && outcome.runsIn === 'this-process';
  return {
    body: {
      ok: true,
      decision,
      started,
      ...(outcome.decision === 'approved' &&
        outcome.runsIn === 'waiting-process' && { waitingProcess: outcome.pid }),
    },
  };
}

/** Pause, resume and cancel reach runs executing in this process only; say where the run is otherwise. */
function whereItRuns(api: ApiContext, runId: string): void {
  if (api.engine.activeRun(runId)) return;
  const record = api.store.getRun(runId);
  if (record?.owner && isSameProcessAlive(record.owner)) {
    throw new HttpError(
      409,
      'RUN_ELSEWHERE',
      `run ${runId} is executed by process ${record.owner.pid}; control it from that process's dashboard or terminal`,
    );
  }
  throw new HttpError(
    409,
    'RUN_NOT_ACTIVE',
    `run ${runId} is not running (it is ${record?.status ?? 'unknown'})`,
  );
}
