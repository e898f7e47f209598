import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { AttemptCheckouts } from '../../src/distributed/worker/attempt-checkout.js';
import { createGitRunner, type Git } from '../../src/workspace/git-runner.js';
import { tempDir } from '../support/temp-dir.js';
import { serveExchange } from './git-exchange-support.js';
import { git } from './workspace-support.js';

// A worker's checkouts with real git against the coordinator's real endpoint: worktrees are kept for later
// attempts, and a kept one shows the next attempt exactly the start commit, nothing of the attempt before.

async function setUp() {
  const { head, endpoint } = await serveExchange({ 'README.md': 'start\n', '.gitignore': 'build/\n' });
  const runner = createGitRunner({ environment: process.env });
  const calls: string[][] = [];
  const counting: Git = (args, call) => {
    calls.push([...args]);
    return runner(args, call);
  };
  const checkouts = new AttemptCheckouts(counting, tempDir('ai-collab-worker-'));
  const { url, token } = endpoint.grant('run-1');
  return { head, calls, checkouts, start: { url, token, startCommit: head } };
}

const signal = new AbortController().signal;

test('a kept worktree shows the next attempt only the start commit: changed, new, ignored and committed files are gone', async () => {
  const { head, checkouts, start } = await setUp();
  const first = await checkouts.open(start);
  writeFileSync(join(first.path, 'README.md'), 'changed\n');
  writeFileSync(join(first.path, 'new.txt'), 'new\n');
  mkdirSync(join(first.path, 'build'));
  writeFileSync(join(first.path, 'build', 'out'), 'ignored\n');
  const result = await first.commitAndPush('refs/ai-collab/run-1/attempts/a1/e1', 'first', signal);
  assert.equal(result.pushed, true);
  assert.notEqual(result.commit, head);
  await first.release({ reuse: true });

  const second = await checkouts.open(start);
  writeFileSync(join(second.path, 'agent.txt'), 'committed by the agent\n');
  git(second.path, 'add', 'agent.txt');
  git(second.path, 'commit', '-q', '-m', 'the agent committed');
  const committed = await second.commitAndPush('refs/ai-collab/run-1/attempts/a2/e1', 'second', signal);
  assert.equal(committed.pushed, true, 'a commit the agent made is its work, even with a clean tree');
  await second.release({ reuse: true });
  await checkouts.settled();
  const third = await checkouts.open(start);
  assert.equal(third.path, first.path, 'one worktree served all three attempts');
  assert.equal(git(third.path, 'rev-parse', 'HEAD').trim(), head);
  assert.equal(readFileSync(join(third.path, 'README.md'), 'utf8'), 'start\n');
  assert.equal(existsSync(join(third.path, 'new.txt')), false);
  assert.equal(existsSync(join(third.path, 'agent.txt')), false);
  assert.equal(existsSync(join(third.path, 'build')), false);
  assert.equal(git(third.path, 'status', '--porcelain', '--ignored').trim(), '');
  await third.release({ reuse: false });
  assert.equal(existsSync(third.path), false, 'a stopped attempt’s worktree is removed, not kept');
});

test('an attempt that changes nothing costs one git call on a kept worktree and pushes nothing', async () => {
  const { head, calls, checkouts, start } = await setUp();
  const first = await checkouts.open(start);
  await first.commitAndPush('refs/ai-collab/run-1/attempts/a1/e1', 'first', signal);
  await first.release({ reuse: true });

  calls.length = 0;
  const again = await checkouts.open(start);
  assert.equal(again.path, first.path, 'the kept worktree serves the next attempt');
  assert.deepEqual(await again.commitAndPush('refs/ai-collab/run-1/attempts/a3/e1', 'third', signal), {
    commit: head,
    pushed: false,
  });
  await again.release({ reuse: true });
  assert.deepEqual(
    calls.map((args) => args[0]),
    ['status'],
  );
  await checkouts.close();
  assert.equal(existsSync(again.path), false, 'a stopped worker leaves no worktree behind');
});
