/**
 * Routes that start new work: plan a task (`POST /api/plans`), run a plan given as text (`POST /api/runs`)
 * and review code (`POST /api/review`). The VS Code extension and scripts use them; the work itself is
 * done by the actions the command line supplies, so the server stays free of planner and agent wiring.
 */
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { ServerActions } from '../server-actions.js';
import { HttpError } from './http-io.js';
import { parseBody } from './route-context.js';
import type { Route } from './router.js';

const planBody = z.strictObject({
  task: z.string().min(1).max(20_000),
  planner: z.string().min(1).max(200).optional(),
});
const runBody = z.strictObject({
  /** The plan as YAML or JSON text. */
  plan: z
    .string()
    .min(1)
    .max(32 * 1024 * 1024),
  /** The file it came from, for messages and the run record. */
  file: z.string().max(4_096).optional(),
});
const reviewBody = z
  .strictObject({
    code: z
      .string()
      .max(1024 * 1024)
      .optional(),
    diff: z
      .string()
      .max(1024 * 1024)
      .optional(),
    path: z.string().max(4_096).optional(),
    language: z.string().max(100).optional(),
  })
  .refine((body) => body.code !== undefined || body.diff !== undefined, {
    message: 'send the code to review in `code` or a unified diff in `diff`',
  });

export function startRoutes(actions: ServerActions | undefined): Route[] {
  const need = (): ServerActions => {
    if (!actions) {
      throw new HttpError(501, 'NOT_AVAILABLE', 'this server was started without planners or agents');
    }
    return actions;
  };
  return [
    {
      method: 'POST',
      path: '/api/plans',
      access: 'token',
      handle: async ({ body, response }) => {
        const input = parseBody(planBody, await body());
        const started = await need().planTask(
          { task: input.task, ...(input.planner !== undefined && { planner: input.planner }) },
          abandonedBy(response),
        );
        return { status: 201, body: started };
      },
    },
    {
      method: 'POST',
      path: '/api/runs',
      access: 'token',
      handle: async ({ body }) => {
        const input = parseBody(runBody, await body());
        const started = need().runPlan({
          plan: input.plan,
          ...(input.file !== undefined && { file: input.file }),
        });
        return { status: 201, body: started };
      },
    },
    {
      method: 'POST',
      path: '/api/review',
      access: 'token',
      handle: async ({ body, response }) => {
        const input = parseBody(reviewBody, await body());
        const review = need().reviewCode;
        if (!review) {
          throw new HttpError(
            409,
            'NO_REVIEWER',
            'no reviewer is usable here: configure reviewers under `review.reviewers` in ai-collab.config.yaml',
          );
        }
        return { body: await review(input, abandonedBy(response)) };
      },
    },
  ];
}

/** Planning and reviewing take as long as the models do; a client that goes away stops the work. */
function abandonedBy(response: ServerResponse): AbortSignal {
  const abort = new AbortController();
  response.once('close', () => {
    if (!response.writableFinished) abort.abort();
  });
  return abort.signal;
}
