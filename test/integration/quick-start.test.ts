import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';

// The README's first command, run as written from this checkout once `npm ci` has built it: it must run the
// plan without installing anything first (npx would copy the checkout into its cache and rebuild it, silently).

const root = new URL('../..', import.meta.url).pathname;

/** The commands of the README's quick start that follow `npm ci`, as written there. */
function quickStartCommand(): string {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const block = /## Quick start\n+```sh\n([^`]*)```/.exec(readme)?.[1];
  assert.ok(block, 'the README has a Quick start with a sh block');
  const first = (block.split('\n')[0] ?? '').replace(/\s+#.*$/, '');
  const [install, ...rest] = first.split('&&').map((part) => part.trim());
  assert.equal(install, 'npm ci', 'the quick start begins with npm ci');
  return rest.join(' && ');
}

test('the README’s quick start runs the example plan from the built checkout, installing nothing', async () => {
  assert.ok(
    existsSync(join(root, 'dist', 'cli', 'bin.js')),
    'dist/ is missing: `npm ci` builds it (or `npm run build` in a worktree)',
  );
  const command = quickStartCommand();
  const scratch = tempDir('quick-start-');
  const npmCache = join(scratch, 'npm-cache');
  const child = spawn('sh', ['-c', command], {
    cwd: root,
    env: {
      ...process.env,
      NO_COLOR: '1',
      // State goes to the scratch folder, not the checkout; npm (if the command used it) to an empty cache.
      AI_COLLAB_HOME: join(scratch, 'state'),
      npm_config_cache: npmCache,
      npm_config_offline: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr.on('data', (chunk) => {
    output += chunk;
  });
  const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
  assert.equal(code, 0, output);
  assert.match(output, /Run \S+ succeeded: 6 succeeded/);
  assert.equal(existsSync(join(npmCache, '_npx')), false, `${command} installed a package into npx's cache`);
});
