/**
 * Which job serves each step of a run, kept in Redis until the attempt's outcome is in the run's log (not
 * merely until its result was taken: a crash during the review or the merge must not lose it): a
 * coordinator that died and was resumed finds the attempt still running (or finished) on a worker and
 * takes its result instead of running the step again. Only the attempt the crash cut short is taken over,
 * for the same start commit and the same feedback; a settled attempt's record is removed, so a later
 * attempt (a retry after a failed check or a rejection) never gets an old result.
 */
import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';
import { z } from 'zod';

const recordSchema = z.object({
  attemptId: z.string(),
  /** The engine's attempt the job serves (the one that submitted it, or the last that took it over). */
  attempt: z.number().int().positive(),
  startCommit: z.string(),
  feedback: z.string(),
});
export type AttemptRecord = z.infer<typeof recordSchema>;

export type Claim = { saved: true } | { saved: false; earlier: AttemptRecord | undefined };

export interface AttemptRecords {
  /**
   * Saves `record` unless the step has one already, in one round trip; when it had, nothing is saved and
   * the earlier record is returned (undefined if it does not parse).
   */
  claim(runId: string, stepId: string, record: AttemptRecord): Promise<Claim>;
  save(runId: string, stepId: string, record: AttemptRecord): Promise<void>;
  /** Removes the step's record if it is the given attempt's (a later attempt's record stays). */
  forget(runId: string, stepId: string, attempt: number): Promise<void>;
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

/** DEL only when the record is the settled attempt's, or unreadable (worth nothing to anyone). */
const forgetScript = `local record = redis.call('GET', KEYS[1])
if not record then return 0 end
local ok, parsed = pcall(cjson.decode, record)
if ok and type(parsed) == 'table' and tostring(parsed.attempt) ~= ARGV[1] then return 0 end
return redis.call('DEL', KEYS[1])`;

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
    async forget(runId, stepId, attempt) {
      await redis.eval(forgetScript, 1, key(runId, stepId), String(attempt));
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
