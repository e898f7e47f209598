/**
 * A conflicted step's facts (its commit, the run tip it clashed with, the files and their conflict
 * markers), kept next to the run's worktrees so the resolution step, a resumed run and the summary can
 * find them. The step's work itself stays on its branch.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { readJsonFile, writeJsonAtomically } from './json-file.js';
import type { ConflictFile } from './merge-into-run.js';
import { refSafe } from './ref-names.js';

export interface ConflictRecord {
  version: 1;
  stepId: string;
  attempt: number;
  /** The step's committed work: the side that could not be merged. */
  stepCommit: string;
  stepBranch: string;
  /** The run branch's tip it conflicted with. */
  runTip: string;
  files: string[];
  context: ConflictFile[];
  /** The step added to resolve it, once there is one. */
  resolutionStepId?: string;
}

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
  if (typeof value !== 'object' || value === null) return undefined;
  const record = value as Partial<ConflictRecord>;
  if (record.version !== 1 || typeof record.stepId !== 'string' || typeof record.stepCommit !== 'string') {
    return undefined;
  }
  return record as ConflictRecord;
}
