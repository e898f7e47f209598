import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

interface BadInput {
  what: string;
  /** File name to contents; `plan.*` is the plan run. */
  files: Record<string, string>;
  env?: Record<string, string>;
  /** What stderr must say: the file, the line, the field and the fix. */
  says: RegExp;
}

const deepFlow = `steps: ${'['.repeat(1_000)}${']'.repeat(1_000)}\n`;
const deepBlock = `steps:\n${Array.from({ length: 1_000 }, (_, depth) => `${'  '.repeat(depth + 1)}- `).join('\n')}x\n`;

const badPlans: BadInput[] = [
  {
    what: 'a NUL in a step id',
    files: { 'plan.yaml': 'steps:\n  - id: "a\\0b"\n    run: "true"\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.id: contains the character U\+0000 \(NUL\); a step id must be printable text, so remove it/,
  },
  {
    what: 'an escape sequence in a step id (JSON)',
    files: { 'plan.json': JSON.stringify({ steps: [{ id: 'a\u001b[31m', run: 'true' }] }) },
    says: /plan\.json:1:\d+ steps\[0\]\.id: contains the character U\+001B \(ESC\)/,
  },
  {
    what: 'a C1 control in a dependency',
    files: {
      'plan.yaml': 'steps:\n  - { id: a, run: "true" }\n  - { id: b, run: "true", needs: ["a\\x9b"] }\n',
    },
    says: /plan\.yaml:3:\d+ steps\[1\]\.needs\[0\]: contains the character U\+009B \(CSI\)/,
  },
  {
    what: 'a bidi override in an agent name',
    files: { 'plan.yaml': 'steps:\n  - { id: a, agent: "cl\\u202Eaude", prompt: hi }\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.agent: contains the character U\+202E \(bidirectional formatting\); an agent name must be printable text/,
  },
  {
    what: 'a bidi isolate in the default agent',
    files: { 'plan.yaml': 'defaults: { agent: "\\u2066claude" }\nsteps:\n  - { id: a, prompt: hi }\n' },
    says: /plan\.yaml:1:\d+ defaults\.agent: contains the character U\+2066/,
  },
  {
    what: 'a NUL in an environment value',
    files: { 'plan.yaml': 'steps:\n  - { id: a, run: "true", env: { TOKEN: "x\\0" } }\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.env\.TOKEN: contains the character U\+0000 \(NUL\); an environment value must be printable text \(tabs and line feeds are fine\)/,
  },
  {
    what: 'a control character in an environment name',
    files: { 'plan.json': JSON.stringify({ steps: [{ id: 'a', run: 'true', env: { 'A\u0007': '1' } }] }) },
    says: /plan\.json:1:\d+ steps\[0\]\.env\["A\\u0007"\]: an environment name is letters, digits and _/,
  },
  {
    what: 'a NUL in a shell command',
    files: { 'plan.yaml': 'steps:\n  - { id: a, run: "echo \\0" }\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.run: contains the character U\+0000 \(NUL\), which no process can be given/,
  },
  {
    what: 'a duplicate key at the top of a JSON plan',
    files: {
      'plan.json': '{"steps": [{"id": "a", "run": "true"}],\n "steps": [{"id": "b", "run": "true"}]}',
    },
    says: /plan\.json:2:2: duplicate key steps; JSON would keep only the last one, so remove one of them/,
  },
  {
    what: 'a duplicate key inside a JSON step',
    files: { 'plan.json': '{"steps": [{"id": "a", "run": "true", "run": "false"}]}' },
    says: /plan\.json:1:\d+: duplicate key steps\[0\]\.run;/,
  },
  {
    what: 'a zero timeout',
    files: { 'plan.yaml': 'steps:\n  - { id: a, run: "true", timeout: 0 }\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.timeout: 0 is not a positive duration; give at least 1ms/,
  },
  {
    what: 'a "0s" default timeout',
    files: { 'plan.yaml': 'defaults: { timeout: 0s }\nsteps:\n  - { id: a, run: "true" }\n' },
    says: /plan\.yaml:1:\d+ defaults\.timeout: "0s" is not a positive duration/,
  },
  {
    what: 'a timeout that underflows to 0 (YAML)',
    files: { 'plan.yaml': 'steps:\n  - { id: a, run: "true", timeout: 1e-400 }\n' },
    says: /plan\.yaml:2:\d+ steps\[0\]\.timeout: 0 is not a positive duration/,
  },
  {
    what: 'a timeout that underflows to 0 (JSON)',
    files: { 'plan.json': '{"steps": [{"id": "a", "run": "true", "timeout": 1e-400}]}' },
    says: /plan\.json:1:\d+ steps\[0\]\.timeout: 0 is not a positive duration/,
  },
  {
    what: 'an unknown YAML tag',
    files: { 'plan.yaml': 'steps:\n  - { id: a, run: !!js/function "function () {}" }\n' },
    says: /plan\.yaml:2:19: not valid YAML: unknown tag !!js\/function; remove it/,
  },
  {
    what: '1,000 levels of flow nesting',
    files: { 'plan.yaml': deepFlow },
    says: /plan\.yaml:1:\d+: nesting deeper than 64 levels; plans are flat lists of steps/,
  },
  {
    what: '1,000 levels of block nesting',
    files: { 'plan.yaml': deepBlock },
    says: /plan\.yaml:65:\d+: nesting deeper than 64 levels; plans are flat lists of steps/,
  },
  {
    what: '100,000 levels of JSON nesting',
    files: { 'plan.json': `{"steps": ${'['.repeat(100_000)}${']'.repeat(100_000)}}` },
    says: /plan\.json:1:\d+: nesting deeper than 64 levels; plans are flat lists of steps/,
  },
];

const okPlan = 'steps:\n  - { id: a, run: "true" }\n';
const badConfigs: BadInput[] = [
  {
    what: 'a zero agent timeout in the configuration',
    files: { 'plan.yaml': okPlan, 'ai-collab.config.yaml': 'agents:\n  claude:\n    timeout: 0\n' },
    says: /ai-collab\.config\.yaml agents\.claude\.timeout: 0 is not a positive duration/,
  },
  {
    what: 'an escape in a configured agent name',
    files: {
      'plan.yaml': okPlan,
      'ai-collab.config.yaml': 'agents:\n  "my\\e[2Jagent": { adapter: claude }\n',
    },
    says: /ai-collab\.config\.yaml agents\["my\\u001b\[2Jagent"\]: contains the character U\+001B \(ESC\)/,
  },
  {
    what: 'a NUL in a configured environment value',
    files: {
      'plan.yaml': okPlan,
      'ai-collab.config.yaml': 'agents:\n  claude:\n    env: { KEY: "a\\0" }\n',
    },
    says: /ai-collab\.config\.yaml agents\.claude\.env\.KEY: contains the character U\+0000 \(NUL\)/,
  },
  {
    what: 'an unknown tag in the configuration',
    files: { 'plan.yaml': okPlan, 'ai-collab.config.yaml': 'concurrency: !!python/object 4\n' },
    says: /ai-collab\.config\.yaml:1:14: not valid YAML: unknown tag !!python\/object/,
  },
  {
    what: 'deep nesting in the configuration',
    files: {
      'plan.yaml': okPlan,
      'ai-collab.config.yaml': `agents: ${'{a: '.repeat(1_000)}1${'}'.repeat(1_000)}\n`,
    },
    says: /ai-collab\.config\.yaml:1:\d+: nesting deeper than 64 levels; configuration is a few levels deep/,
  },
  {
    what: 'a duplicate key in the JSON configuration overlay',
    files: { 'plan.yaml': okPlan },
    env: { AI_COLLAB_CONFIG_JSON: '{"concurrency": 2, "concurrency": 0}' },
    says: /AI_COLLAB_CONFIG_JSON \(environment\):1:20: duplicate key concurrency;/,
  },
];

for (const bad of [...badPlans, ...badConfigs]) {
  test(`refused with exit 2 and nothing written: ${bad.what}`, async () => {
    const workspace = tempDir();
    for (const [name, text] of Object.entries(bad.files)) writeFileSync(join(workspace, name), text);
    const plan = Object.keys(bad.files).find((name) => name.startsWith('plan.')) as string;
    const result = await runCli(['run', plan, '--yes'], {
      cwd: workspace,
      env: { XDG_CONFIG_HOME: join(workspace, 'no-user-config'), ...bad.env },
    });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, bad.says);
    assert.doesNotMatch(result.stderr, /Maximum call stack|\n\s+at |unexpected error/);
    assert.equal(existsSync(join(workspace, '.ai-collab')), false, 'no state written');
  });
}
