/**
 * Which workers are alive and what they offer: each worker writes a heartbeat (name, host, agents, running
 * attempts) into one Redis hash of the queue prefix; coordinators read it to say a step waits for a worker,
 * and `ai-collab workers` lists it. An entry older than the liveness window is a dead worker.
 */
import type { Redis } from 'ioredis';
import { z } from 'zod';

/** A worker that has not written for this long is not alive. */
export const livenessMs = 15_000;
export const heartbeatEveryMs = 3_000;

export const workerEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  host: z.string(),
  pid: z.number().int(),
  agents: z.array(z.string()),
  /** Agents configured there that cannot run, with the reason (for `ai-collab workers`). */
  unavailable: z.array(z.object({ agent: z.string(), reason: z.string() })).default([]),
  running: z.array(
    z.object({ runId: z.string(), stepId: z.string(), attempt: z.number(), attemptId: z.string() }),
  ),
  concurrency: z.number().int(),
  startedAt: z.number(),
  heartbeatAt: z.number(),
});
export type WorkerEntry = z.infer<typeof workerEntrySchema>;

export function registryKey(prefix: string): string {
  return `${prefix}:workers`;
}

export async function writeHeartbeat(redis: Redis, prefix: string, entry: WorkerEntry): Promise<void> {
  await redis.hset(registryKey(prefix), entry.id, JSON.stringify(entry));
}

export async function removeWorker(redis: Redis, prefix: string, id: string): Promise<void> {
  await redis.hdel(registryKey(prefix), id);
}

/** Every registered worker, alive or not; entries that do not parse (another version) are left out. */
export async function listWorkers(redis: Redis, prefix: string): Promise<WorkerEntry[]> {
  const raw = await redis.hgetall(registryKey(prefix));
  const entries: WorkerEntry[] = [];
  for (const text of Object.values(raw)) {
    const parsed = workerEntrySchema.safeParse(safeJson(text));
    if (parsed.success) entries.push(parsed.data);
  }
  return entries.sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
}

export function isAlive(entry: WorkerEntry, now: number): boolean {
  return now - entry.heartbeatAt <= livenessMs;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
