/**
 * Which job serves each step of a run, kept in Redis until the coordinator has taken its result: a
 * coordinator that died and was resumed finds the attempt still running (or finished) on a worker and
 * takes its result instead of running the step again. Only a job for the same start commit and the same
 * feedback is taken over; a taken result's record is removed, so a later attempt (a retry after a review
 * rejection) never gets an old result.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const recordSchema = z.object({ attemptId: z.string(), startCommit: z.string(), feedback: z.string() });
export type AttemptRecord = z.infer<typeof recordSchema>;

export interface AttemptRecords {
  find(runId: string, stepId: string): Promise<AttemptRecord | undefined>;
  save(runId: string, stepId: string, record: AttemptRecord): Promise<void>;
  forget(runId: string, stepId: string): Promise<void>;
}

/** Records outlive a dead coordinator for as long as finished jobs are kept. */
const keepSeconds = 24 * 3600;

export function feedbackKey(feedback: string | undefined): string {
  return createHash('sha256')
    .update(feedback ?? '')
    .digest('hex')
    .slice(0, 16);
}

export function attemptRecords(redis: Redis, prefix: string): AttemptRecords {
  const key = (runId: string, stepId: string) =>
    `${prefix}:attempt:${runId}:${createHash('sha256').update(stepId).digest('hex').slice(0, 24)}`;
  return {
    async find(runId, stepId) {
      const text = await redis.get(key(runId, stepId));
      if (text === null) return undefined;
      try {
        const parsed = recordSchema.safeParse(JSON.parse(text));
        return parsed.success ? parsed.data : undefined;
      } catch {
        return undefined;
      }
    },
    async save(runId, stepId, record) {
      await redis.set(key(runId, stepId), JSON.stringify(record), 'EX', keepSeconds);
    },
    async forget(runId, stepId) {
      await redis.del(key(runId, stepId));
    },
  };
}
