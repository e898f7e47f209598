import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { fixturesDir, runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const fakeClaude = join(fixturesDir, 'agents', 'fake-claude.mjs');

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8' });
}

// These tests are about worktrees and branches: the fake agent's steps are not reviewed (--no-review).
function repoWithPlan(): string {
  const repo = tempDir();
  git(repo, 'init', '-q', '-b', 'main');
  git(repo, 'config', 'user.email', 'dev@example.com');
  git(repo, 'config', 'user.name', 'Dev');
  writeFileSync(join(repo, 'README.md'), 'project\n');
  writeFileSync(
    join(repo, 'ai-collab.config.yaml'),
    `agents:\n  fake: { adapter: claude, command: ${fakeClaude}, env: { ANTHROPIC_API_KEY: sk-fake }, pool: { size: 2, prewarm: 0 } }\n`,
  );
  writeFileSync(
    join(repo, 'plan.yaml'),
    `steps:
  - { id: one, agent: fake, action: write, target: one.txt, prompt: "FAKE:write one.txt first" }
  - { id: two, agent: fake, action: write, target: two.txt, prompt: "FAKE:write two.txt second" }
  - { id: check, run: "cat one.txt two.txt > seen.txt", needs: [one, two] }
`,
  );
  git(repo, 'add', '.');
  git(repo, 'commit', '-qm', 'start');
  return repo;
}

test('agent steps land on a run branch, not in the checkout; apply brings them in, discard removes the branch', async () => {
  const repo = repoWithPlan();
  writeFileSync(join(repo, 'README.md'), 'project, with my uncommitted edit\n');
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: repo });
  assert.equal(result.code, 0, result.stderr);
  const { runId } = JSON.parse(result.stdout) as RunReport;
  assert.match(result.stderr, /your uncommitted changes are not included/);
  // one.txt and two.txt from the agent steps, seen.txt from the shell step (in the integration worktree).
  assert.match(result.stderr, /Changes on ai-collab\/\S+\/run: 3 file\(s\)/);
  assert.equal(existsSync(join(repo, 'one.txt')), false, 'the user checkout is not touched');
  assert.equal(existsSync(join(repo, 'seen.txt')), false, 'not even by the shell step');
  assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), 'project, with my uncommitted edit\n');

  writeFileSync(join(repo, 'one.txt'), 'mine, untracked\n');
  const refused = await runCli(['apply', runId], { cwd: repo });
  assert.equal(refused.code, 2, 'apply refuses while an untracked file is in the way');
  assert.match(refused.stderr, /one\.txt/);
  assert.doesNotMatch(refused.stderr, /README/, 'the unrelated uncommitted edit is not in the way');
  rmSync(join(repo, 'one.txt'));

  const applied = await runCli(['apply', runId], { cwd: repo });
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(readFileSync(join(repo, 'one.txt'), 'utf8'), 'first');
  assert.equal(readFileSync(join(repo, 'two.txt'), 'utf8'), 'second');
  assert.equal(readFileSync(join(repo, 'seen.txt'), 'utf8'), 'firstsecond');
  assert.equal(readFileSync(join(repo, 'README.md'), 'utf8'), 'project, with my uncommitted edit\n');
  assert.equal(
    git(repo, 'status', '--porcelain').trim(),
    'M README.md',
    "only the user's own edit is left (state dir excluded)",
  );

  const discarded = await runCli(['discard', runId], { cwd: repo });
  assert.equal(discarded.code, 0, discarded.stderr);
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '');
});

test('with --no-isolation, agent steps change the workspace directly', async () => {
  const repo = repoWithPlan();
  const result = await runCli(['run', 'plan.yaml', '--yes', '--no-isolation', '--no-review'], {
    cwd: repo,
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stderr, /isolation is off/);
  assert.equal(readFileSync(join(repo, 'seen.txt'), 'utf8'), 'firstsecond');
  assert.equal(git(repo, 'branch', '--list', 'ai-collab/*').trim(), '');
});
