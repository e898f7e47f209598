import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { AcpSideNotice } from '../../../../src/agents/acp/acp-worker.js';
import {
  defaultMaxAttempts,
  parseRetryLine,
  RetryLineReader,
  retryCapFor,
  stripJsonComments,
} from '../../../../src/agents/gemini/gemini-retries.js';
import { tempDir } from '../../../support/temp-dir.js';

test('captured retry announcements: stderr (prompt mode) and the debug log (ACP mode)', () => {
  assert.deepEqual(
    parseRetryLine(
      'Attempt 1 failed with status 500. Retrying with backoff... _ApiError: {"error":{"code":500,"message":"Internal error from the scripted model server","status":"INTERNAL"}}',
    ),
    {
      kind: 'retry',
      attempt: 1,
      status: 500,
      message: 'Internal error from the scripted model server (INTERNAL)',
    },
  );
  assert.deepEqual(
    parseRetryLine(
      '[2026-11-27T22:51:54.635Z] [WARN] Attempt 2 failed with status 429. Retrying with backoff... _ApiError: {"error":{"code":429,"message":"Rate limited by the scripted model server","status":"RESOURCE_EXHAUSTED"}}',
    ),
    {
      kind: 'retry',
      attempt: 2,
      status: 429,
      message: 'Rate limited by the scripted model server (RESOURCE_EXHAUSTED)',
    },
  );
  assert.deepEqual(
    parseRetryLine('Attempt 1 failed: Resource exhausted. Please retry in 7s.. Retrying after 8377ms...'),
    {
      kind: 'retry',
      attempt: 1,
      status: 429,
      message: 'Resource exhausted. Please retry in 7s.',
      delayMs: 8377,
    },
  );
  assert.equal(
    parseRetryLine('Attempt 2 failed: Rate limited by the scripted model server. Max attempts reached'),
    undefined,
  );
  assert.equal(parseRetryLine('Ripgrep is not available. Falling back to GrepTool.'), undefined);
  assert.equal(
    parseRetryLine('Attempt 3 failed with 5xx error. Retrying with backoff... Error: 503')?.status,
    500,
  );
});

test('the reader joins lines split across chunks', () => {
  const notices: AcpSideNotice[] = [];
  const reader = new RetryLineReader((notice) => notices.push(notice));
  reader.push('noise\nAttempt 1 failed with sta');
  reader.push('tus 500. Retrying with backoff... _ApiError: {"error":{"message":"x"}}\n  status: 500\n');
  assert.deepEqual(
    notices.map((notice) => [notice.attempt, notice.status]),
    [[1, 500]],
  );
});

test('the cap is ours unless the user’s own settings choose general.maxAttempts (read, never written)', () => {
  const home = tempDir();
  const workspace = tempDir();
  mkdirSync(join(home, '.gemini'));
  assert.equal(retryCapFor({ HOME: home }, workspace), defaultMaxAttempts);
  writeFileSync(join(home, '.gemini', 'settings.json'), '{ // comment\n "general": { "maxAttempts": 5 } }');
  assert.equal(retryCapFor({ HOME: home }, workspace), undefined);
  assert.equal(retryCapFor({ HOME: tempDir(), GEMINI_CLI_HOME: home }, workspace), undefined);
  mkdirSync(join(workspace, '.gemini'));
  writeFileSync(join(workspace, '.gemini', 'settings.json'), '{"general":{"maxAttempts":3}}');
  assert.equal(retryCapFor({ HOME: tempDir() }, workspace), undefined, 'workspace settings count too');
  assert.equal(stripJsonComments('{"url":"http://x//y", /* c */ "a": 1}'), '{"url":"http://x//y",  "a": 1}');
});
