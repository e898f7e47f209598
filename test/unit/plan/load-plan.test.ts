import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { loadPlanFile, parsePlanText } from '../../../src/plan/load-plan.js';
import { defaultPlanLimits } from '../../../src/plan/plan-limits.js';
import { InputError } from '../../../src/support/errors.js';
import { tempDir } from '../../support/temp-dir.js';

const agents = agentCatalogOf(['shell', 'claude', 'codex', 'gemini', 'opus']);

function problemsOf(text: string, file = 'plan.yaml', limits = defaultPlanLimits): string[] {
  try {
    parsePlanText(text, file, { agents, limits });
  } catch (error) {
    assert.ok(error instanceof InputError, `expected an InputError, got ${error}`);
    assert.equal(error.code, 'PLAN_INVALID');
    return [...error.problems];
  }
  assert.fail('expected the plan to be rejected');
}

test('a YAML plan is normalised with defaults, aliases and durations', () => {
  const plan = parsePlanText(
    `
name: demo
concurrency: 3
defaults: { retries: 1, timeout: 2m, backoff: { initial: 100ms, max: 5s } }
steps:
  - id: build
    run: make
    estimate: 40s
  - id: test
    run: make test
    inputs: [build]
    retries: 3
    backoff: { initial: 200ms, max: 10s, factor: 3 }
  - id: 7
    agent: claude
    action: edit
    target: src/a.ts
    prompt: Fix it.
    needs: [test]
`,
    'plan.yaml',
    { agents },
  );
  assert.equal(plan.name, 'demo');
  assert.equal(plan.concurrency, 3);
  const [build, testStep, edit] = plan.steps;
  assert.deepEqual(
    {
      agent: build?.agent,
      retries: build?.retries,
      timeoutMs: build?.timeoutMs,
      estimateMs: build?.estimateMs,
    },
    { agent: 'shell', retries: 1, timeoutMs: 120_000, estimateMs: 40_000 },
  );
  assert.deepEqual(testStep?.needs, ['build']);
  assert.deepEqual(testStep?.backoff, { initialMs: 200, maxMs: 10_000, factor: 3 });
  assert.equal(edit?.id, '7');
  assert.equal(edit?.label, 7, 'numeric ids keep their number form for output');
  assert.deepEqual(edit?.needs, ['test']);
});

test("the seed's PlanResponse JSON is accepted as is", () => {
  const plan = parsePlanText(
    JSON.stringify({
      planId: 'p-1',
      analysis: { understanding: 'u', constraints: [], approaches: [], chosenApproach: 'c', rationale: 'r' },
      steps: [
        {
          id: 1,
          action: 'read',
          target: 'a.ts',
          description: 'Read a',
          assignedAgent: 'gemini',
          status: 'pending',
          inputs: [],
          outputs: [],
        },
        {
          id: 2,
          action: 'edit',
          target: 'a.ts',
          description: 'Edit a',
          assignedAgent: 'codex',
          status: 'pending',
          inputs: [1],
          outputs: ['a.ts'],
        },
      ],
      dependencies: ['a.ts'],
      risks: [{ severity: 'low', category: 'other', description: 'd', mitigation: 'm', affectedSteps: [2] }],
      confidence: {
        taskClarity: 1,
        contextSufficiency: 0.5,
        approachConfidence: 0.5,
        executionFeasibility: 1,
        overall: 0.75,
      },
      estimatedTokens: 100,
      requiresApproval: true,
    }),
    'plan.json',
    { agents },
  );
  assert.equal(plan.format, 'seed');
  assert.equal(plan.name, 'p-1');
  assert.deepEqual(
    plan.steps.map((step) => [step.id, step.label, step.agent, step.needs]),
    [
      ['1', 1, 'gemini', []],
      ['2', 2, 'codex', ['1']],
    ],
  );
  assert.match(plan.steps[1]?.prompt ?? '', /Edit a[\s\S]*Target: a\.ts/);
  assert.deepEqual(plan.meta?.confidence, {
    taskClarity: 1,
    contextSufficiency: 0.5,
    approachConfidence: 0.5,
    executionFeasibility: 1,
    overall: 0.75,
  });
});

test('every graph problem is reported in one pass, each with a location and a JSON path', () => {
  const problems = problemsOf(`steps:
  - id: build
    run: make
    nedes: [x]
  - id: test
    run: make test
    needs: [buidl, test]
    timeout: 5 minutes
  - id: lint
    run: lint
    needs: [deploy]
  - id: deploy
    agent: cluade
    prompt: ship it
    needs: [lint]
  - id: build
    run: again
`);
  const expected = [
    /^plan\.yaml:4:\d+ steps\[0\]\.nedes: unknown field "nedes"; did you mean "needs"\?/,
    /^plan\.yaml:8:\d+ steps\[1\]\.timeout: "5 minutes" is not a duration/,
    /^plan\.yaml:7:\d+ steps\[1\]\.needs\[0\]: unknown step "buidl"; did you mean "build"\?/,
    /^plan\.yaml:7:\d+ steps\[1\]\.needs\[1\]: step "test" depends on itself/,
    /^plan\.yaml:11:\d+ steps\[2\]\.needs: dependency cycle: lint → deploy → lint/,
    /^plan\.yaml:13:\d+ steps\[3\]\.agent: unknown agent "cluade"; did you mean "claude"\?/,
    /^plan\.yaml:16:\d+ steps\[4\]\.id: duplicate step id "build" \(first used by steps\[0\]\)/,
  ];
  assert.equal(problems.length, expected.length, problems.join('\n'));
  for (const pattern of expected)
    assert.ok(
      problems.some((line) => pattern.test(line)),
      `missing ${pattern}\n${problems.join('\n')}`,
    );
});

test('a long cycle is printed whole, in dependency order', () => {
  const steps = Array.from({ length: 100 }, (_, index) => ({
    id: `s${index}`,
    run: 'true',
    needs: [`s${(index + 1) % 100}`],
  }));
  const problems = problemsOf(JSON.stringify({ steps }), 'plan.json');
  assert.equal(problems.length, 1);
  const cycle = /cycle: (.*) \(each step needs the next\)/.exec(problems[0] as string)?.[1]?.split(' → ');
  assert.equal(cycle?.length, 101);
  assert.equal(cycle?.[0], 's0');
  assert.equal(cycle?.[1], 's1');
  assert.equal(cycle?.[100], 's0');
});

test('an empty plan, a missing steps list and a non-mapping are rejected', () => {
  assert.match(problemsOf('steps: []')[0] ?? '', /steps: the plan has no steps/);
  assert.match(problemsOf('name: x')[0] ?? '', /steps: .*expected array/i);
  assert.match(problemsOf('- id: a')[0] ?? '', /a plan is a mapping with a steps: list/);
});

test('step kinds are checked: shell needs run, agents need a prompt, run is shell-only', () => {
  const problems = problemsOf(`steps:
  - id: a
    agent: shell
  - id: b
    agent: claude
  - id: c
    agent: claude
    prompt: hi
    run: make
  - id: d
    prompt: orphan
`);
  assert.ok(
    problems.some((line) => /steps\[0\]: a shell step needs a command; add run:/.test(line)),
    problems.join('\n'),
  );
  assert.ok(problems.some((line) => /steps\[1\]: agent step "b" needs a prompt:/.test(line)));
  assert.ok(problems.some((line) => /steps\[2\]\.run: run: is for shell steps only/.test(line)));
  assert.ok(problems.some((line) => /steps\[3\]\.agent: no agent given/.test(line)));
});

test('unknown keys are errors, including prototype keys, and nothing is polluted', () => {
  const problems = problemsOf(
    '{"steps":[{"id":"a","run":"true","__proto__":{"polluted":true}}],"extra":1}',
    'plan.json',
  );
  assert.ok(
    problems.some((line) => /steps\[0\]\.__proto__: unknown field "__proto__"/.test(line)),
    problems.join('\n'),
  );
  assert.ok(problems.some((line) => /extra: unknown field "extra"/.test(line)));
  assert.equal(({} as Record<string, unknown>).polluted, undefined);
});

test('syntax errors point at the line', () => {
  assert.match(
    problemsOf('steps:\n  - id: a\n    run: echo "a: b" c: d\n')[0] ?? '',
    /^plan\.yaml:3:\d+: not valid YAML/,
  );
  assert.match(
    problemsOf('{"steps": [\n  {"id": "a",}\n]}', 'plan.json')[0] ?? '',
    /^plan\.json:2:\d+: not valid JSON/,
  );
  assert.match(
    problemsOf('steps:\n  - id: a\n    id: b\n    run: x\n')[0] ?? '',
    /not valid YAML: Map keys must be unique/,
  );
});

test('limits are checked before the expensive work', async () => {
  const directory = tempDir();
  const big = join(directory, 'big.yaml');
  writeFileSync(big, `# ${'x'.repeat(2_000)}\nsteps: []\n`);
  await assert.rejects(
    loadPlanFile(big, { agents, limits: { ...defaultPlanLimits, maxFileBytes: 1_000 } }),
    (error: InputError) =>
      /over the 0\.0 MB limit/.test(error.problems[0] ?? '') || /over the/.test(error.problems[0] ?? ''),
  );
  const tooMany = JSON.stringify({
    steps: Array.from({ length: 11 }, (_, index) => ({ id: index, run: 'true' })),
  });
  assert.match(
    problemsOf(tooMany, 'p.json', { ...defaultPlanLimits, maxSteps: 10 })[0] ?? '',
    /11 steps is over the limit of 10/,
  );
  const longPrompt = JSON.stringify({ steps: [{ id: 'a', agent: 'claude', prompt: 'p'.repeat(300) }] });
  assert.match(
    problemsOf(longPrompt, 'p.json', { ...defaultPlanLimits, maxTextBytes: 100 })[0] ?? '',
    /steps\[0\]\.prompt: Too big/i,
  );
  await assert.rejects(loadPlanFile(join(directory, 'missing.yaml'), { agents }), (error: InputError) =>
    /cannot read the plan file \(ENOENT\)/.test(error.problems[0] ?? ''),
  );
});

test('a plan of 100,000 steps is accepted', () => {
  const steps = Array.from({ length: 100_000 }, (_, index) => ({
    id: `s${index}`,
    run: 'true',
    needs: index === 0 ? [] : [`s${Math.floor(index / 2)}`],
  }));
  const plan = parsePlanText(JSON.stringify({ steps }), 'big.json', { agents });
  assert.equal(plan.steps.length, 100_000);
});

test('numeric and string ids that collide are duplicates', () => {
  const problems = problemsOf(
    JSON.stringify({
      steps: [
        { id: 1, run: 'a' },
        { id: '1', run: 'b' },
      ],
    }),
    'p.json',
  );
  assert.match(problems[0] ?? '', /steps\[1\]\.id: duplicate step id "1"/);
});

test('backoff max shorter than initial is rejected', () => {
  const problems = problemsOf('steps:\n  - id: a\n    run: x\n    backoff: { initial: 10s, max: 1s }\n');
  assert.match(problems[0] ?? '', /steps\[0\]\.backoff\.max: backoff max \(1000ms\) is shorter than initial/);
});
