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

export type Claim = { saved: true } | { saved: false; earlier: AttemptRecord | undefined };

export interface AttemptRecords {
  /**
   * Saves `record` unless the step has one already, in one round trip; when it had, nothing is saved and
   * the earlier record is returned (undefined if it does not parse).
   */
  claim(runId: string, stepId: string, record: AttemptRecord): Promise<Claim>;
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

/** GET, and SET only when there was nothing: atomic, and on every Redis version BullMQ runs on. */
const claimScript = `local earlier = redis.call('GET', KEYS[1])
if not earlier then redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2]) end
return earlier`;

export function attemptRecords(redis: Redis, prefix: string): AttemptRecords {
  const key = (runId: string, stepId: string) =>
    `${prefix}:attempt:${runId}:${createHash('sha256').update(stepId).digest('hex').slice(0, 24)}`;
  return {
    async claim(runId, stepId, record) {
      const earlier = await redis.eval(
        claimScript,
        1,
        key(runId, stepId),
        JSON.stringify(record),
        keepSeconds,
      );
      return typeof earlier === 'string' ? { saved: false, earlier: recordOf(earlier) } : { saved: true };
    },
    async save(runId, stepId, record) {
      await redis.set(key(runId, stepId), JSON.stringify(record), 'EX', keepSeconds);
    },
    async forget(runId, stepId) {
      await redis.del(key(runId, stepId));
    },
  };
}

function recordOf(text: string): AttemptRecord | undefined {
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}
