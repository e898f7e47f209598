import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';
import { serveExchange } from './git-exchange-support.js';
import { git } from './workspace-support.js';

// The coordinator's git endpoint, with real git clients: the run's token or nothing, smart HTTP's three
// paths of the one exchange repository or nothing.

/**
 * A git client as a worker runs it: the token as an extra header from the environment, never argv.
 * Asynchronous: the endpoint answers from this same process.
 */
function client(
  cwd: string,
  token: string | undefined,
  ...args: string[]
): Promise<{ status: number | null; stderr: string }> {
  const child = spawn('git', args, {
    cwd,
    stdio: ['ignore', 'ignore', 'pipe'],
    env: {
      ...process.env,
      GIT_TERMINAL_PROMPT: '0',
      GIT_CONFIG_NOSYSTEM: '1',
      ...(token && {
        GIT_CONFIG_COUNT: '1',
        GIT_CONFIG_KEY_0: 'http.extraHeader',
        GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
      }),
    },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once('close', (status) => resolve({ status, stderr })));
}

test("a worker with the run's token fetches any commit of the workspace and pushes its result; the result comes back into a step's directory", async () => {
  const { repo, head, endpoint, exchange } = await serveExchange();
  const { url, token } = endpoint.grant('run-1');
  const worker = tempDir('ai-collab-worker-');
  git(worker, 'init', '-q', '--bare', 'cache.git');
  const cache = `${worker}/cache.git`;
  const fetched = await client(cache, token, 'fetch', '--no-tags', url, head);
  assert.equal(fetched.status, 0, fetched.stderr);
  const checkout = `${worker}/checkout`;
  git(cache, 'worktree', 'add', '-q', '--detach', checkout, head);
  git(checkout, 'commit', '-q', '--allow-empty', '-m', 'nothing');
  writeFileSync(`${checkout}/result.txt`, 'from the worker\n');
  git(checkout, 'add', 'result.txt');
  git(checkout, 'commit', '-q', '-m', 'result');
  const result = git(checkout, 'rev-parse', 'HEAD').trim();
  const ref = 'refs/ai-collab/run-1/attempts/a1/e1';
  const pushed = await client(checkout, token, 'push', '-q', url, `${result}:${ref}`);
  assert.equal(pushed.status, 0, pushed.stderr);
  await exchange.applyResult(repo, { start: head, result, ref });
  assert.equal(git(repo, 'status', '--porcelain').trim(), '?? result.txt');
});

test("the endpoint refuses a request without the run's token, with another run's token, and any path but smart HTTP's", async () => {
  const { head, endpoint } = await serveExchange();
  const first = endpoint.grant('run-1');
  const second = endpoint.grant('run-2');
  const worker = tempDir('ai-collab-worker-');
  for (const token of [undefined, 'x'.repeat(64), second.token]) {
    const refused = await client(worker, token, 'ls-remote', first.url);
    assert.notEqual(refused.status, 0, `token ${token?.slice(0, 4)} was refused`);
    assert.match(refused.stderr, /401|Authentication failed|could not read Username/);
  }
  assert.equal((await client(worker, first.token, 'ls-remote', first.url)).status, 0);
  const base = new URL(first.url);
  const authorization = { authorization: `Bearer ${first.token}` };
  for (const path of [
    `${base.pathname}/objects/info/alternates`,
    `${base.pathname}/HEAD`,
    `${base.pathname}/objects/${head.slice(0, 2)}/${head.slice(2)}`,
    '/runs/run-1/other.git/info/refs?service=git-upload-pack',
    `${base.pathname}/../../../../etc/passwd`,
    `${base.pathname}/%2e%2e/%2e%2e/config`,
  ]) {
    const response = await fetch(`${base.origin}${path}`, { headers: authorization });
    assert.equal(response.status, 404, path);
  }
  const dumb = await fetch(`${first.url}/info/refs`, { headers: authorization });
  assert.equal(dumb.status, 403, 'dumb HTTP (no service) is refused');
});
