import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/load-config.js';
import { InputError } from '../../../src/support/errors.js';
import { tempDir } from '../../support/temp-dir.js';

test('without files the defaults apply', () => {
  const home = tempDir();
  const config = loadConfig(tempDir(), { HOME: home });
  assert.equal(config.concurrency, undefined);
  assert.equal(config.killGraceMs, 5_000);
  assert.deepEqual(config.sources, []);
});

test('the workspace file overrides the user file key by key', () => {
  const workspace = tempDir();
  const home = tempDir();
  mkdirSync(join(home, '.config', 'ai-collab'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'ai-collab', 'config.yaml'),
    'concurrency: 2\nkillGrace: 1s\nagents:\n  shell: { passEnv: [A] }\n',
  );
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'concurrency: 6\nagents:\n  shell: { concurrency: 3, passEnv: [B] }\n',
  );
  const config = loadConfig(workspace, { HOME: home });
  assert.equal(config.concurrency, 6);
  assert.equal(config.killGraceMs, 1_000);
  assert.deepEqual(config.agents.shell, { concurrency: 3, passEnv: ['A', 'B'] });
  assert.equal(config.sources.length, 2);
});

test('an invalid config names the file and the key', () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'concurency: 2\nagents:\n  shell: { concurrency: 0 }\nkillGrace: soon\n',
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir() }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'CONFIG_INVALID');
      const text = error.problems.join('\n');
      assert.match(text, /ai-collab\.config\.yaml \(root\): unknown key\(s\) "concurency"/);
      assert.match(text, /agents\.shell\.concurrency: Too small/i);
      assert.match(text, /killGrace: "soon" is not a duration/);
      return true;
    },
  );
});

test('AI_COLLAB_CONFIG_JSON overrides the files, and a bad one names the variable and the key', () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'ai-collab.config.yaml'), 'concurrency: 6\napproval: { policy: never }\n');
  const config = loadConfig(workspace, {
    HOME: tempDir(),
    AI_COLLAB_CONFIG_JSON: '{"approval":{"policy":"always"}}',
  });
  assert.equal(config.concurrency, 6);
  assert.equal(config.approval.policy, 'always');
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir(), AI_COLLAB_CONFIG_JSON: '{"concurrency":0}' }),
    (error: unknown) =>
      error instanceof InputError &&
      /AI_COLLAB_CONFIG_JSON \(environment\) concurrency/.test(error.problems.join('\n')),
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir(), AI_COLLAB_CONFIG_JSON: '{oops' }),
    (error: unknown) => error instanceof InputError && /not valid JSON/.test(error.problems.join('\n')),
  );
});

test('review: defaults without a file (swarm of 6, threshold 0.6, reviewers left to the runtime)', () => {
  const config = loadConfig(tempDir(), { HOME: tempDir() });
  assert.equal(config.review.swarmSize, 6);
  assert.equal(config.review.threshold, 0.6);
  assert.deepEqual(config.review.reviewers, []);
  assert.equal(config.review.earlyStop, true);
  assert.equal(config.review.cache, true);
});

test('review: files merge key by key, and AI_COLLAB_CONFIG_JSON sets swarmSize, threshold and reviewers', () => {
  const workspace = tempDir();
  const home = tempDir();
  mkdirSync(join(home, '.config', 'ai-collab'), { recursive: true });
  writeFileSync(
    join(home, '.config', 'ai-collab', 'config.yaml'),
    'review:\n  maxAbstain: 1\n  limits: { default: { maxConcurrency: 2 } }\n',
  );
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `agents:
  alpha: { adapter: openai, baseUrl: "http://127.0.0.1:9/v1", model: m }
review:
  reviewers: [alpha]
  swarmSize: 4
  limits: { "http://127.0.0.1:9/v1": { requestsPerMinute: 60 } }
`,
  );
  const fromFiles = loadConfig(workspace, { HOME: home });
  assert.deepEqual(fromFiles.review.reviewers, ['alpha']);
  assert.equal(fromFiles.review.swarmSize, 4);
  assert.equal(fromFiles.review.maxAbstain, 1);
  assert.deepEqual(Object.keys(fromFiles.review.limits).sort(), ['default', 'http://127.0.0.1:9/v1']);

  const overlaid = loadConfig(workspace, {
    HOME: home,
    AI_COLLAB_CONFIG_JSON: JSON.stringify({
      review: { swarmSize: 3, threshold: 0.75, reviewers: ['alpha', 'claude'] },
    }),
  });
  assert.equal(overlaid.review.swarmSize, 3);
  assert.equal(overlaid.review.threshold, 0.75);
  assert.deepEqual(overlaid.review.reviewers, ['alpha', 'claude']);
});

test('review: bad values name the file, the key and the fix', () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'review:\n  threshold: 0.3\n  swarmSize: 0\n  reviewers: []\n  colour: red\n',
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir() }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.equal(error.code, 'CONFIG_INVALID');
      const text = error.problems.join('\n');
      assert.match(
        text,
        /ai-collab\.config\.yaml review\.threshold: give the share .* from 0\.5 to 1, e\.g\. 0\.6/,
      );
      assert.match(
        text,
        /ai-collab\.config\.yaml review\.swarmSize: give a whole number of reviewers from 1 to 32/,
      );
      assert.match(text, /ai-collab\.config\.yaml review\.reviewers: give a list of 1 to 32 agent names/);
      assert.match(text, /ai-collab\.config\.yaml review: unknown key\(s\) "colour"; remove them/);
      return true;
    },
  );
});

test('review: an unknown reviewer, or a maxAbstain another file makes too large, is an input error', () => {
  const workspace = tempDir();
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    'review:\n  reviewers: [claude, nobody]\n  maxAbstain: 4\n',
  );
  assert.throws(
    () => loadConfig(workspace, { HOME: tempDir() }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(
        error.problems.join('\n'),
        /ai-collab\.config\.yaml review\.reviewers\[1\]: "nobody" is not an agent; define agents\.nobody .* or name one of: .*claude/,
      );
      return true;
    },
  );
  assert.throws(
    () =>
      loadConfig(workspace, {
        HOME: tempDir(),
        AI_COLLAB_CONFIG_JSON: '{"review":{"swarmSize":3,"reviewers":["claude"]}}',
      }),
    (error: unknown) => {
      assert.ok(error instanceof InputError);
      assert.match(
        error.problems.join('\n'),
        /review\.maxAbstain: maxAbstain \(4\) must be below swarmSize \(3\)/,
      );
      return true;
    },
  );
});
