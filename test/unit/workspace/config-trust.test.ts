import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  assertConfigTrusted,
  isExecutableConfigKey,
  readExecutableConfig,
  untrustedEntries,
} from '../../../src/workspace/config-trust.js';
import type { Git } from '../../../src/workspace/git-runner.js';
import { isWorkspaceError } from '../../../src/workspace/workspace-error.js';

test('settings git would run as programs are recognised; plain settings are not', () => {
  for (const key of [
    'core.fsmonitor',
    'core.hooksPath',
    'core.sshCommand',
    'filter.lfs.clean',
    'filter.Evil.process',
    'merge.ours.driver',
    'diff.tex.textconv',
    'diff.external',
    'gpg.ssh.program',
    'credential.https://example.com.helper',
    'alias.co',
    'includeIf.gitdir:~/work/.path',
    'extensions.worktreeConfig',
    'core.worktree',
  ]) {
    assert.equal(isExecutableConfigKey(key), true, key);
  }
  for (const key of [
    'user.name',
    'core.autocrlf',
    'merge.conflictStyle',
    'diff.renames',
    'filter.lfs.required2',
  ]) {
    assert.equal(isExecutableConfigKey(key), false, key);
  }
});

function fakeGit(output: string): Git {
  return async () => ({ code: 0, stdout: output, stderr: '' });
}

test('the snapshot keeps executable entries of every file, not the orchestrator’s own -c settings', async () => {
  const output = [
    'system',
    'credential.helper\ncache',
    'global',
    'user.name\nMe',
    'local',
    'filter.lfs.clean\ngit-lfs clean -- %f',
    'command',
    'core.hookspath\n/dev/null',
    'local',
    'core.bare\nfalse',
    '',
  ].join('\0');
  assert.deepEqual(await readExecutableConfig(fakeGit(output), { cwd: '/repo' }), [
    'credential.helper=cache',
    'filter.lfs.clean=git-lfs clean -- %f',
  ]);
});

test('a new executable entry is untrusted; a removed or unchanged one is fine', async () => {
  assert.deepEqual(untrustedEntries(['a=1', 'b=2'], ['a=1']), []);
  assert.deepEqual(untrustedEntries(['a=1'], ['a=1', 'a=2']), ['a=2']);
  const written = ['local', 'filter.evil.clean\nsh -c evil', ''].join('\0');
  await assert.rejects(assertConfigTrusted(fakeGit(written), { cwd: '/repo' }, []), (error) => {
    assert.ok(isWorkspaceError(error, 'UNTRUSTED_GIT_CONFIG'));
    assert.match(error.message, /\(filter\.evil\.clean\)/);
    return true;
  });
});
