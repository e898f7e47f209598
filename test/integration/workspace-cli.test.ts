import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RunReport } from '../../src/cli/run-report.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
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

// `apply` and `discard` are recorded in the run's log, once: `status` and `runs` say what became of the run's
// work, and a second apply or discard of the same run is refused with why, recording nothing.

async function runPlan(repo: string): Promise<string> {
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json', '--no-review'], { cwd: repo });
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as RunReport).runId;
}

async function statusOf(repo: string, runId: string): Promise<RunReport> {
  const result = await runCli(['status', runId, '--json'], { cwd: repo });
  assert.equal(result.code, 0, result.stderr);
  return JSON.parse(result.stdout) as RunReport;
}

function landingEvents(repo: string, runId: string): string[] {
  const store = new SqliteStore({ path: join(repo, '.ai-collab', 'state.db'), clock: systemClock });
  try {
    return [...store.readEvents(runId)]
      .map((event) => event.type)
      .filter((type) => type === 'run.applied' || type === 'run.discarded');
  } finally {
    store.close();
  }
}

test('a discarded run says so in status, once; another run applied says where it landed, once', async () => {
  const repo = repoWithPlan();
  const dropped = await runPlan(repo);
  const discarded = await runCli(['discard', dropped], { cwd: repo });
  assert.equal(discarded.code, 0, discarded.stderr);
  const afterDiscard = await statusOf(repo, dropped);
  assert.equal(afterDiscard.status, 'succeeded', 'how the run ended is unchanged');
  assert.equal(afterDiscard.landing, 'discarded');
  assert.equal(afterDiscard.discarded?.wasApplied, false);
  const text = await runCli(['status', dropped], { cwd: repo });
  assert.match(text.stdout, /Work: discarded by cli \(never applied: its changes are gone\)/);
  assert.doesNotMatch(text.stdout, /Land them on your branch/);

  for (const again of [
    ['discard', dropped],
    ['apply', dropped],
  ]) {
    const refused = await runCli(again, { cwd: repo });
    assert.equal(refused.code, 2, `${again[0]} after discard is refused`);
    assert.match(refused.stderr, new RegExp(`run ${dropped} was already discarded`));
  }
  assert.deepEqual(landingEvents(repo, dropped), ['run.discarded'], 'no second event');
  assert.equal(existsSync(join(repo, 'one.txt')), false);

  const kept = await runPlan(repo);
  const applied = await runCli(['apply', kept], { cwd: repo });
  assert.equal(applied.code, 0, applied.stderr);
  assert.equal(readFileSync(join(repo, 'one.txt'), 'utf8'), 'first');
  const afterApply = await statusOf(repo, kept);
  assert.equal(afterApply.landing, 'applied');
  assert.equal(afterApply.applied?.branch, 'main');
  assert.equal(afterApply.applied?.commit, git(repo, 'rev-parse', 'main').trim());
  assert.equal(afterApply.applied?.files, 3);
  const again = await runCli(['apply', kept], { cwd: repo });
  assert.equal(again.code, 2);
  assert.match(
    again.stderr,
    new RegExp(`run ${kept} was already applied to main at ${afterApply.applied?.commit.slice(0, 10)}`),
  );
  assert.deepEqual(landingEvents(repo, kept), ['run.applied'], 'no second event');

  // Dropping an applied run's branches afterwards is a clean-up, recorded as such; the run still shows applied.
  const cleaned = await runCli(['discard', kept], { cwd: repo });
  assert.equal(cleaned.code, 0, cleaned.stderr);
  const afterCleanUp = await statusOf(repo, kept);
  assert.equal(afterCleanUp.landing, 'applied');
  assert.equal(afterCleanUp.discarded?.wasApplied, true);
  assert.deepEqual(landingEvents(repo, kept), ['run.applied', 'run.discarded']);

  // The runs list says it too, from the run index changed with each event.
  const listed = await runCli(['runs', '--json'], { cwd: repo });
  assert.equal(listed.code, 0, listed.stderr);
  const landings = Object.fromEntries(
    (JSON.parse(listed.stdout) as Array<{ runId: string; landing: string | null }>).map((run) => [
      run.runId,
      run.landing,
    ]),
  );
  assert.deepEqual(landings, { [dropped]: 'discarded', [kept]: 'applied' });
});
