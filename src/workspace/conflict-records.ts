/**
 * A conflicted step's facts (its commit, the run tip it clashed with, the files and their conflict
 * markers), kept next to the run's worktrees so the resolution step, a resumed run and the summary can
 * find them. The step's work itself stays on its branch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { readJsonFile, writeJsonAtomically } from './json-file.js';
import { refSafe } from './ref-names.js';

// Read back from the run's state directory: parsed, never cast, so a damaged file reads as no record.
const conflictRecordSchema = z.object({
  version: z.literal(1),
  stepId: z.string(),
  attempt: z.number(),
  /** The step's committed work: the side that could not be merged. */
  stepCommit: z.string(),
  stepBranch: z.string(),
  /** The run branch's tip it conflicted with. */
  runTip: z.string(),
  files: z.array(z.string()),
  context: z.array(
    z.object({ path: z.string(), withMarkers: z.string(), truncated: z.boolean(), binary: z.boolean() }),
  ),
  /** The step added to resolve it, once there is one. */
  resolutionStepId: z.string().optional(),
});

export type ConflictRecord = z.infer<typeof conflictRecordSchema>;

export function writeConflict(runDir: string, record: ConflictRecord): void {
  const directory = join(runDir, 'conflicts');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  writeJsonAtomically(join(directory, `${refSafe(record.stepId)}.json`), record);
}

export function readConflict(runDir: string, stepId: string): ConflictRecord | undefined {
  return asConflict(readJsonFile(join(runDir, 'conflicts', `${refSafe(stepId)}.json`)));
}

/** Marks `resolutionStepId` as the step resolving `record`, findable by that step's id. */
export function writeResolution(runDir: string, record: ConflictRecord, resolutionStepId: string): void {
  const directory = join(runDir, 'resolutions');
  mkdirSync(directory, { recursive: true, mode: 0o700 });
  const updated = { ...record, resolutionStepId };
  writeConflict(runDir, updated);
  writeJsonAtomically(join(directory, `${refSafe(resolutionStepId)}.json`), updated);
}

/** The conflict a step resolves, when it is a resolution step. */
export function readResolution(runDir: string, stepId: string): ConflictRecord | undefined {
  const record = asConflict(readJsonFile(join(runDir, 'resolutions', `${refSafe(stepId)}.json`)));
  return record?.resolutionStepId === stepId ? record : undefined;
}

function asConflict(value: unknown): ConflictRecord | undefined {
  const parsed = conflictRecordSchema.safeParse(value);
  return parsed.success ? parsed.data : undefined;
}
