import assert from 'node:assert/strict';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { createGitRunner, gitEnvironment, safetySettings } from '../../../src/workspace/git-runner.js';
import { isWorkspaceError } from '../../../src/workspace/workspace-error.js';
import { tempDir } from '../../support/temp-dir.js';

test('git gets a scratch environment: no GIT_DIR or index of the caller, no prompts, a fixed identity', () => {
  const env = gitEnvironment({
    PATH: '/usr/bin',
    HOME: '/home/me',
    GIT_DIR: '/elsewhere/.git',
    GIT_INDEX_FILE: '/tmp/index',
    GIT_WORK_TREE: '/elsewhere',
    GIT_ASKPASS: '/usr/bin/steal',
    SECRET_TOKEN: 'x',
  });
  assert.equal(env.PATH, '/usr/bin');
  assert.equal(env.HOME, '/home/me');
  for (const name of ['GIT_DIR', 'GIT_INDEX_FILE', 'GIT_WORK_TREE', 'SECRET_TOKEN'])
    assert.equal(env[name], undefined, name);
  assert.equal(env.GIT_ASKPASS, 'false');
  assert.equal(env.GIT_TERMINAL_PROMPT, '0');
  assert.equal(env.GIT_AUTHOR_NAME, 'ai-collab');
  assert.equal(env.GIT_OPTIONAL_LOCKS, '0');
});

test('every call carries the safety settings and an explicit git dir and work tree when given', async () => {
  const directory = tempDir();
  const fake = join(directory, 'git');
  writeFileSync(fake, '#!/bin/sh\nprintf "%s\\n" "$@"\nexit 0\n');
  chmodSync(fake, 0o755);
  const git = createGitRunner({ binary: fake, environment: { PATH: process.env.PATH } });
  const { stdout } = await git(['status'], {
    cwd: directory,
    gitDir: '/r/.git/worktrees/a',
    workTree: '/w/a',
  });
  const args = stdout.trim().split('\n');
  assert.ok(safetySettings.includes('core.hooksPath=/dev/null'));
  assert.ok(safetySettings.includes('core.fsmonitor=false'));
  for (const setting of safetySettings) assert.ok(args.includes(setting), setting);
  assert.deepEqual(args.slice(-3), ['--git-dir=/r/.git/worktrees/a', '--work-tree=/w/a', 'status']);
});

test('a failing call is a typed error with git’s words; accepted exit codes are answers', async () => {
  const directory = tempDir();
  const fake = join(directory, 'git');
  writeFileSync(fake, '#!/bin/sh\necho "fatal: not a git repository" >&2\nexit 128\n');
  chmodSync(fake, 0o755);
  const git = createGitRunner({ binary: fake, environment: {} });
  await assert.rejects(git(['rev-parse', 'HEAD'], { cwd: directory }), (error) => {
    assert.ok(isWorkspaceError(error, 'GIT_FAILED'));
    assert.match(error.message, /git rev-parse HEAD exited with code 128: fatal: not a git repository/);
    return true;
  });
  assert.equal((await git(['rev-parse'], { cwd: directory, okCodes: [128] })).code, 128);
});
