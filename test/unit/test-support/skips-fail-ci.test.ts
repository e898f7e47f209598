import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentCliMissing, agentCliProblem } from '../../support/agent-cli-env.js';
import { MissingPrerequisiteError, runsInCi, skipWhenMissing } from '../../support/prerequisites.js';
import { tempDir } from '../../support/temp-dir.js';

// CI must never go green with a suite skipped: a missing prerequisite fails in CI, and the test runner
// counts skips (suites included) and fails in CI when there are any.

const root = new URL('../../..', import.meta.url).pathname;
const prerequisites = join(root, 'test', 'support', 'prerequisites.ts');

/** A checkout with the real scripts/run-tests.mjs and these test files, sharing this one's node_modules. */
function checkout(files: Record<string, string>): string {
  const directory = tempDir('run-tests-');
  mkdirSync(join(directory, 'scripts'));
  cpSync(join(root, 'scripts', 'run-tests.mjs'), join(directory, 'scripts', 'run-tests.mjs'));
  symlinkSync(join(root, 'node_modules'), join(directory, 'node_modules'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(directory, 'test', name, '..'), { recursive: true });
    writeFileSync(join(directory, 'test', name), text);
  }
  return directory;
}

function runTests(directory: string, ci: string | undefined) {
  // NODE_TEST_CONTEXT would make the inner node --test think it runs inside this test and run nothing.
  const { CI: _ci, NODE_TEST_CONTEXT: _context, ...environment } = process.env;
  const result = spawnSync(process.execPath, [join(directory, 'scripts', 'run-tests.mjs')], {
    cwd: directory,
    env: { ...environment, ...(ci !== undefined && { CI: ci }) },
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

const skippingFile = `import { describe, test } from 'node:test';
describe('a suite that needs a CLI', { skip: 'no such CLI' }, () => {
  test('one', () => {});
  test('two', () => {});
});
test('a test that needs a browser', { skip: 'no browser' }, () => {});
test('a test that runs', () => {});
`;

test('the runner counts skipped tests and suites; in CI any skip fails the run', () => {
  const directory = checkout({ 'unit/a.test.ts': skippingFile, 'integration/b.test.ts': skippingFile });
  const local = runTests(directory, undefined);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stderr, /run-tests: 4 skipped \(unit 2, integration 2\)/);
  assert.match(local.stderr, /skipped a suite that needs a CLI: no such CLI/);
  assert.match(local.stderr, /skipped a test that needs a browser: no browser/);
  assert.match(local.stdout, /ℹ pass 1\n/, 'node’s own summary is still printed');

  const ci = runTests(directory, 'true');
  assert.equal(ci.code, 1);
  assert.match(ci.stderr, /CI=true and tests were skipped/);

  const clean = checkout({
    'unit/c.test.ts': "import { test } from 'node:test';\ntest('runs', () => {});\n",
  });
  const cleanCi = runTests(clean, 'true');
  assert.equal(cleanCi.code, 0, cleanCi.stderr);
  assert.match(cleanCi.stderr, /run-tests: 0 skipped/);
});

test('in CI a missing prerequisite fails its test file instead of skipping it', () => {
  const directory = checkout({
    'unit/needs-tool.test.ts': `import { test } from 'node:test';
import { skipWhenMissing } from ${JSON.stringify(prerequisites)};
const skip = skipWhenMissing('the tool is not installed');
test('uses the tool', { skip }, () => {});
`,
  });
  const local = runTests(directory, undefined);
  assert.equal(local.code, 0, local.stderr);
  assert.match(local.stderr, /skipped uses the tool: skipped: the tool is not installed/);
  const ci = runTests(directory, 'true');
  assert.equal(ci.code, 1);
  assert.match(ci.stdout, /a test prerequisite is missing in CI: the tool is not installed/);
});

test('skip helpers: CI is any value but empty, false or 0; a required prerequisite always throws', () => {
  assert.equal(runsInCi({ CI: 'true' }), true);
  assert.equal(runsInCi({ CI: '1' }), true);
  assert.equal(runsInCi({ CI: 'false' }), false);
  assert.equal(runsInCi({ CI: '' }), false);
  assert.equal(runsInCi({}), false);
  assert.equal(skipWhenMissing(undefined, { environment: { CI: 'true' } }), false);
  assert.equal(skipWhenMissing('no chromium', { environment: {} }), 'skipped: no chromium');
  assert.throws(
    () => skipWhenMissing('no chromium', { environment: { CI: 'true' } }),
    MissingPrerequisiteError,
  );
  assert.throws(() => skipWhenMissing('no chromium', { required: true, environment: {} }), /no chromium/);
});

test('a pinned agent CLI is missing when its binary is absent or another version is installed', () => {
  const directory = tempDir('agent-clis-');
  writeFileSync(
    join(directory, 'package.json'),
    JSON.stringify({ dependencies: { '@openai/codex': '0.171.0' } }),
  );
  assert.match(agentCliProblem('codex', directory) ?? '', /codex is not installed .*install-agent-clis\.sh/);
  mkdirSync(join(directory, 'node_modules', '.bin'), { recursive: true });
  writeFileSync(join(directory, 'node_modules', '.bin', 'codex'), '');
  mkdirSync(join(directory, 'node_modules', '@openai', 'codex'), { recursive: true });
  const installed = join(directory, 'node_modules', '@openai', 'codex', 'package.json');
  writeFileSync(installed, JSON.stringify({ version: '0.170.0' }));
  assert.match(
    agentCliProblem('codex', directory) ?? '',
    /codex 0\.170\.0 is installed, 0\.171\.0 is pinned/,
  );
  writeFileSync(installed, JSON.stringify({ version: '0.171.0' }));
  assert.equal(agentCliProblem('codex', directory), undefined);
  // The real pinned CLIs, as the integration tests see them: here in CI they must be installed.
  if (runsInCi())
    for (const name of ['claude', 'codex', 'gemini'] as const) assert.equal(agentCliMissing(name), undefined);
});
