import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { RequestPermissionRequest } from '@agentclientprotocol/sdk';
import { decidePermission, permissionLevel } from '../../../../src/agents/acp/acp-permission-policy.js';
import { tempDir } from '../../../support/temp-dir.js';

// The request Gemini CLI 0.61.0 sent for a write_file in ACP mode (captured; paths replaced).
function geminiWriteRequest(path: string): RequestPermissionRequest {
  return {
    sessionId: '30f448df-3bbc-4869-9baa-bb6bbb2e6aeb',
    toolCall: {
      toolCallId: 'write_file__write_file_1795819673448_0',
      kind: 'edit',
      status: 'pending',
      title: 'Writing to a.txt',
      content: [{ path, oldText: '', newText: 'hi a.txt\n', _meta: { kind: 'add' }, type: 'diff' }],
      locations: [{ path }],
    },
    options: [
      { optionId: 'proceed_always', name: 'Allow for this session', kind: 'allow_always' },
      { optionId: 'proceed_once', name: 'Allow', kind: 'allow_once' },
      { optionId: 'cancel', name: 'Reject', kind: 'reject_once' },
    ],
  };
}

function request(
  kind: string,
  paths: string[],
  options = geminiWriteRequest('/x').options,
): RequestPermissionRequest {
  return {
    sessionId: 's',
    toolCall: {
      toolCallId: 't',
      kind: kind as 'edit',
      locations: paths.map((path) => ({ path })),
    },
    options,
  };
}

test('the level comes from approvalMode, then permissionMode, and allows edits when neither is set', () => {
  assert.equal(permissionLevel({}), 'edits');
  assert.equal(permissionLevel({ approvalMode: 'auto_edit' }), 'edits');
  assert.equal(permissionLevel({ approvalMode: 'yolo' }), 'everything');
  assert.equal(permissionLevel({ approvalMode: 'default' }), 'read-only');
  assert.equal(permissionLevel({ approvalMode: 'plan' }), 'read-only');
  assert.equal(permissionLevel({ permissionMode: 'acceptEdits' }), 'edits');
  assert.equal(permissionLevel({ permissionMode: 'bypassPermissions' }), 'everything');
  assert.equal(permissionLevel({ permissionMode: 'plan' }), 'read-only');
  assert.equal(
    permissionLevel({ approvalMode: 'default', permissionMode: 'bypassPermissions' }),
    'read-only',
  );
});

test('an edit inside the working directory is allowed once — never "always"', () => {
  const cwd = tempDir();
  const decision = decidePermission(geminiWriteRequest(join(cwd, 'a.txt')), 'edits', cwd);
  assert.equal(decision.allowed, true);
  assert.deepEqual(decision.outcome, { outcome: 'selected', optionId: 'proceed_once' });
  const everything = decidePermission(request('execute', []), 'everything', cwd);
  assert.deepEqual(everything.outcome, { outcome: 'selected', optionId: 'proceed_once' });
});

test('edits outside the working directory, through .. or a symlink, are rejected', () => {
  const root = tempDir();
  const cwd = join(root, 'ws');
  mkdirSync(cwd);
  mkdirSync(join(root, 'secret'));
  symlinkSync(join(root, 'secret'), join(cwd, 'link'));
  for (const path of [
    join(root, 'other.txt'),
    join(cwd, '..', 'x.txt'),
    join(cwd, 'link', 'x.txt'),
    '/etc/passwd',
  ]) {
    const decision = decidePermission(geminiWriteRequest(path), 'edits', cwd);
    assert.equal(decision.allowed, false, path);
    assert.deepEqual(decision.outcome, { outcome: 'selected', optionId: 'cancel' });
    assert.match(decision.reason, /outside/);
  }
});

test('read-only rejects edits; commands, fetches and anything unknown need "everything"', () => {
  const cwd = tempDir();
  const inside = join(cwd, 'f.txt');
  assert.equal(decidePermission(request('edit', [inside]), 'read-only', cwd).allowed, false);
  assert.equal(decidePermission(request('read', [inside]), 'read-only', cwd).allowed, true);
  assert.equal(decidePermission(request('search', []), 'read-only', cwd).allowed, true);
  for (const kind of ['execute', 'fetch', 'delete', 'move', 'switch_mode', 'other']) {
    assert.equal(decidePermission(request(kind, [inside]), 'edits', cwd).allowed, false, kind);
    assert.equal(decidePermission(request(kind, [inside]), 'everything', cwd).allowed, true, kind);
  }
  assert.equal(
    decidePermission(request('edit', []), 'edits', cwd).allowed,
    false,
    'an edit that names no file',
  );
});

test('without an "allow once" option the answer is a rejection; without any rejection option, cancelled', () => {
  const cwd = tempDir();
  const onlyAlways = request(
    'edit',
    [join(cwd, 'f')],
    [
      { optionId: 'always', name: 'Always', kind: 'allow_always' },
      { optionId: 'never', name: 'Never', kind: 'reject_always' },
    ],
  );
  const decision = decidePermission(onlyAlways, 'edits', cwd);
  assert.equal(decision.allowed, false);
  assert.deepEqual(decision.outcome, { outcome: 'selected', optionId: 'never' });
  const nothing = request('execute', [], [{ optionId: 'always', name: 'Always', kind: 'allow_always' }]);
  assert.deepEqual(decidePermission(nothing, 'edits', cwd).outcome, { outcome: 'cancelled' });
});
