import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { runDirectory } from '../../../src/workspace/ref-names.js';
import { readRunRecord } from '../../../src/workspace/run-workspace.js';
import { WorkspaceError } from '../../../src/workspace/workspace-error.js';

const record = {
  version: 1,
  runId: 'r-1',
  runBranch: 'ai-collab/r-1',
  baseCommit: 'abc123',
  baseRef: 'refs/heads/main',
  createdAt: 1_700_000_000_000,
  trustedConfig: ['local:core.hookspath=hooks'],
};

function withRecord(content: unknown, check: (worktreesDir: string, file: string) => void): void {
  const worktreesDir = mkdtempSync(join(tmpdir(), 'ai-collab-run-record-'));
  try {
    const dir = runDirectory(worktreesDir, 'r-1');
    mkdirSync(dir, { recursive: true });
    const file = join(dir, 'run.json');
    writeFileSync(file, JSON.stringify(content));
    check(worktreesDir, file);
  } finally {
    rmSync(worktreesDir, { recursive: true, force: true });
  }
}

test('a stored run record reads back as it was written; a run without one has none', () => {
  withRecord(record, (worktreesDir) => assert.deepEqual(readRunRecord(worktreesDir, 'r-1'), record));
  withRecord(record, (worktreesDir) => assert.equal(readRunRecord(worktreesDir, 'r-2'), undefined));
});

test('a damaged run record is refused, naming the file, instead of steering git', () => {
  const damaged = [
    { ...record, version: 2 },
    { ...record, baseCommit: 42 },
    { ...record, trustedConfig: 'core.hookspath=hooks' },
    { ...record, trustedConfig: [7] },
    ['not', 'a', 'record'],
    null,
  ];
  for (const content of damaged) {
    withRecord(content, (worktreesDir, file) =>
      assert.throws(
        () => readRunRecord(worktreesDir, 'r-1'),
        (error: unknown) =>
          error instanceof WorkspaceError &&
          error.reason === 'GIT_FAILED' &&
          error.message === `${file} is not a run record this version understands`,
      ),
    );
  }
});
