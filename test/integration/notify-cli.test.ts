import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

// `notify:` and the new plan fields through the real command line.

test('a command notifier configured in ai-collab.config.yaml is told when the run ends', async () => {
  const workspace = tempDir();
  const out = join(workspace, 'notified.jsonl');
  const script = `let s='';process.stdin.on('data',c=>s+=c).on('end',()=>require('fs').appendFileSync(${JSON.stringify(out)},s))`;
  writeFileSync(
    join(workspace, 'ai-collab.config.yaml'),
    `notify:\n  command: ${JSON.stringify([process.execPath, '-e', script])}\n`,
  );
  writeFileSync(join(workspace, 'plan.yaml'), 'name: told\nsteps:\n  - { id: hello, run: "echo hello" }\n');
  const result = await runCli(['run', 'plan.yaml', '--yes'], {
    cwd: workspace,
    env: { XDG_CONFIG_HOME: join(workspace, 'no-user-config') },
  });
  assert.equal(result.code, 0, result.stderr);
  assert.ok(existsSync(out), 'the notifier ran before the command line exited');
  const sent = readFileSync(out, 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
  assert.equal(sent.length, 1, JSON.stringify(sent));
  assert.equal(sent[0]?.kind, 'run-finished');
  assert.equal(sent[0]?.status, 'succeeded');
  assert.match(String(sent[0]?.text), /run .+ \(told\) succeeded: 1\/1 steps succeeded/);
});

const refused = [
  {
    what: 'notify.command given as one string (a shell line) instead of an argument vector',
    config: 'notify:\n  command: "notify-me --quiet"\n',
    plan: 'steps:\n  - { id: a, run: "true" }\n',
    says: /ai-collab\.config\.yaml notify\.command: an argument vector such as \["notify-me", "--quiet"\] \(no shell: a list, not one string\)/,
  },
  {
    what: 'a webhook that is not an http(s) URL',
    config: 'notify:\n  webhook: "ftp://example.com/hook"\n',
    plan: 'steps:\n  - { id: a, run: "true" }\n',
    says: /ai-collab\.config\.yaml notify\.webhook: a URL such as https:/,
  },
  {
    what: 'an unknown notify key',
    config: 'notify:\n  email: me@example.com\n',
    plan: 'steps:\n  - { id: a, run: "true" }\n',
    says: /ai-collab\.config\.yaml notify: unknown key\(s\) "email"; remove them/,
  },
  {
    what: 'an empty workspace.setup list in the configuration',
    config: 'workspace:\n  setup: []\n',
    plan: 'steps:\n  - { id: a, run: "true" }\n',
    says: /ai-collab\.config\.yaml workspace\.setup: give at least one command, or leave setup out/,
  },
  {
    what: 'an empty check: in the plan',
    config: '',
    plan: 'steps:\n  - { id: a, agent: claude, prompt: x, check: "  " }\n',
    says: /plan\.yaml:2:\d+ steps\[0\]\.check: a check command cannot be empty/,
  },
];

for (const bad of refused) {
  test(`refused with exit 2 naming file, field and fix: ${bad.what}`, async () => {
    const workspace = tempDir();
    if (bad.config !== '') writeFileSync(join(workspace, 'ai-collab.config.yaml'), bad.config);
    writeFileSync(join(workspace, 'plan.yaml'), bad.plan);
    const result = await runCli(['run', 'plan.yaml', '--yes'], {
      cwd: workspace,
      env: { XDG_CONFIG_HOME: join(workspace, 'no-user-config') },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, bad.says);
    assert.equal(existsSync(join(workspace, '.ai-collab')), false, 'nothing written');
  });
}
