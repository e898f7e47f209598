import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { parsePlanText } from '../../../src/plan/load-plan.js';
import { planToYaml } from '../../../src/plan/plan-to-yaml.js';
import { InputError } from '../../../src/support/errors.js';

const agents = agentCatalogOf(['shell', 'claude', 'codex', 'gemini']);

function problemsOf(text: string): string[] {
  try {
    parsePlanText(text, 'plan.yaml', { agents });
  } catch (error) {
    assert.ok(error instanceof InputError);
    return [...error.problems];
  }
  assert.fail('expected the plan to be rejected');
}

test('agents: [...] becomes one candidate step per agent and a pick step that needs them', () => {
  const plan = parsePlanText(
    `
steps:
  - id: base
    run: make
  - id: impl
    agents: [claude, codex, gemini]
    action: edit
    prompt: Add a users table.
    needs: [base]
    pick: first
  - id: after
    run: make test
    needs: [impl]
`,
    'plan.yaml',
    { agents },
  );
  const ids = plan.steps.map((step) => step.id);
  assert.deepEqual(ids, ['base', 'impl#1', 'impl#2', 'impl#3', 'impl', 'after']);
  const candidates = plan.steps.filter((step) => step.candidateOf === 'impl');
  assert.deepEqual(
    candidates.map((step) => [step.agent, step.needs, step.prompt]),
    [
      ['claude', ['base'], 'Add a users table.'],
      ['codex', ['base'], 'Add a users table.'],
      ['gemini', ['base'], 'Add a users table.'],
    ],
  );
  const pick = plan.steps.find((step) => step.id === 'impl');
  assert.equal(pick?.pick, 'first');
  assert.deepEqual(pick?.needs, ['impl#1', 'impl#2', 'impl#3']);
  // Written back for editing, the plan reads as it was written.
  const written = parseYaml(planToYaml(plan)) as { steps: Array<Record<string, unknown>> };
  const impl = written.steps.find((step) => step.id === 'impl');
  assert.deepEqual(impl?.agents, ['claude', 'codex', 'gemini']);
  assert.deepEqual(impl?.needs, ['base']);
  assert.equal(written.steps.length, 3);
});

test('candidates: N runs the same agent N times, with its fallback', () => {
  const plan = parsePlanText(
    'steps:\n  - { id: impl, agent: claude, candidates: 2, prompt: go, fallback: [codex] }\n',
    'plan.yaml',
    { agents },
  );
  assert.deepEqual(
    plan.steps.map((step) => [step.id, step.agent, step.fallback]),
    [
      ['impl#1', 'claude', ['codex']],
      ['impl#2', 'claude', ['codex']],
      ['impl', 'claude', undefined],
    ],
  );
});

test('bad candidate fields are refused with the field and the fix', () => {
  const shape = problemsOf(`
steps:
  - { id: c, agent: claude, candidates: 1, prompt: x }
  - { id: d, agent: claude, agents: [claude, kodex], prompt: x, fallback: [gemeni] }
`).join('\n');
  assert.match(shape, /steps\[0\]\.candidates: at least 2 candidates; for one, leave candidates: out/);
  assert.match(shape, /steps\[1\]\.agents: unknown agent "kodex"; did you mean "codex"/);
  assert.match(shape, /steps\[1\]\.fallback: unknown agent "gemeni"; did you mean "gemini"/);
  const meaning = problemsOf(`
steps:
  - { id: a, agent: claude, candidates: 2, agents: [claude, codex], prompt: x }
  - { id: b, run: make, candidates: 2 }
  - { id: e, agent: claude, pick: first, prompt: x }
  - { id: "f#1", agent: claude, prompt: x }
  - { id: f, agent: claude, candidates: 2, prompt: x }
`).join('\n');
  assert.match(meaning, /steps\[0\]\.agents: use either candidates: N .* or agents: \[\.\.\.\]/);
  assert.match(meaning, /steps\[1\]\.candidates: a shell step has nothing to choose between/);
  assert.match(meaning, /steps\[2\]\.pick: pick: needs candidates: N or agents/);
  assert.match(meaning, /steps\[4\]\.id: candidate id "f#1" is already a step's id; rename that step/);
});
