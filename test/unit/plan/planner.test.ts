import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import type { Agent, AgentResult, AgentTask, StepFailure } from '../../../src/agents/agent.js';
import { ProviderBackoff } from '../../../src/limits/provider-backoff.js';
import { agentCatalogOf } from '../../../src/plan/agent-catalog.js';
import { collectWorkspaceContext } from '../../../src/plan/planner/collect-context.js';
import { extractJsonObject } from '../../../src/plan/planner/extract-json-object.js';
import { PlannerError } from '../../../src/plan/planner/planner-error.js';
import { parseAnswer, runPlanner } from '../../../src/plan/planner/run-planner.js';
import { FakeClock } from '../../support/fake-clock.js';
import { tempDir } from '../../support/temp-dir.js';

const agents = agentCatalogOf(['shell', 'claude', 'codex']);

const validPlan = {
  name: 'add-login',
  rationale: 'Small steps.',
  risks: [
    {
      severity: 'medium',
      category: 'security',
      description: 'passwords',
      mitigation: 'hash them',
      affectedSteps: ['schema'],
    },
  ],
  confidence: {
    taskClarity: 0.9,
    contextSufficiency: 0.8,
    approachConfidence: 0.8,
    executionFeasibility: 0.9,
    overall: 0.85,
  },
  steps: [
    {
      id: 'schema',
      agent: 'claude',
      action: 'edit',
      target: 'src/db.ts',
      prompt: 'Add a users table.',
      needs: [],
    },
    { id: 'test', agent: 'shell', run: 'npm test', needs: ['schema'] },
  ],
};

test('a plan object is found in a fence or between words, and nothing else is repaired', () => {
  const json = JSON.stringify(validPlan);
  assert.equal(extractJsonObject(json), json);
  assert.equal(extractJsonObject(`\`\`\`json\n${json}\n\`\`\``), json);
  assert.equal(extractJsonObject(`Here is the plan:\n${json}\nGood luck.`), json);
  assert.equal(
    extractJsonObject('{"a": "brace } in a string", "b": {"c": 1}} trailing {"second": 2}'),
    '{"a": "brace } in a string", "b": {"c": 1}}',
  );
  assert.equal(extractJsonObject('no object at all'), undefined);
  assert.equal(extractJsonObject('{"steps": ['), undefined, 'a truncated object is not completed');
});

test('broken model outputs are rejected with reasons the planner can act on', () => {
  const corpus: Array<[string, RegExp]> = [
    ['{"steps": [{"id": "a", "agent": "claude", "prompt": "x",}]}', /./],
    ["{'steps': []}", /./],
    ['I cannot help with that.', /no JSON object/],
    [JSON.stringify({ ...validPlan, steps: [] }), /the plan has no steps/],
    [
      JSON.stringify({ ...validPlan, steps: [{ id: 'a', agent: 'cluade', prompt: 'x' }] }),
      /unknown agent "cluade"; did you mean "claude"/,
    ],
    [
      JSON.stringify({
        ...validPlan,
        steps: [
          { id: 'a', agent: 'claude', prompt: 'x', needs: ['b'] },
          { id: 'b', agent: 'claude', prompt: 'y', needs: ['a'] },
        ],
      }),
      /dependency cycle: a → b → a/,
    ],
    [JSON.stringify({ ...validPlan, extra: true }), /unknown field "extra"/],
    [
      JSON.stringify({ ...validPlan, confidence: { ...validPlan.confidence, overall: 7 } }),
      /confidence\.overall/,
    ],
  ];
  for (const [answer, expected] of corpus) {
    const parsed = parseAnswer(answer, agents);
    assert.equal(parsed.ok, false, answer);
    if (!parsed.ok) assert.match(parsed.problems.join('\n'), expected, answer);
  }
  const good = parseAnswer(`\`\`\`json\n${JSON.stringify(validPlan)}\n\`\`\``, agents);
  assert.ok(good.ok);
  if (good.ok) {
    assert.equal(good.plan.steps.length, 2);
    assert.deepEqual(good.plan.meta?.confidence, validPlan.confidence);
  }
});

function scriptedPlanner(answers: string[]): Agent & { prompts: string[] } {
  const prompts: string[] = [];
  return {
    name: 'claude',
    prompts,
    async run(task: AgentTask): Promise<AgentResult> {
      prompts.push(task.step.prompt ?? '');
      assert.equal(task.step.action, 'analyze', 'the planner only reads');
      return { ok: true, output: answers.shift() ?? '' };
    },
  };
}

function request(planner: Agent, workspace: string, clock = new FakeClock()) {
  return {
    retry: { clock, random: () => 0.5, providers: ProviderBackoff.perAgent({ clock, random: () => 0.5 }) },
    task: 'add login to src/app.ts',
    workspace,
    planner,
    plannerName: 'claude',
    agents,
    agentInfo: [{ name: 'claude', description: 'Claude Code' }],
    logFile: (attempt: number | string) => join(workspace, `plan-${attempt}.log`),
    signal: new AbortController().signal,
  };
}

test('an invalid first answer gets exactly one retry carrying the validation errors', async () => {
  const workspace = tempDir();
  const planner = scriptedPlanner(['{"steps": []}', JSON.stringify(validPlan)]);
  const result = await runPlanner(request(planner, workspace));
  assert.equal(result.attempts, 2);
  assert.equal(planner.prompts.length, 2);
  assert.match(planner.prompts[1] ?? '', /was not a valid plan[\s\S]*the plan has no steps/);
});

test('a second invalid answer is an error and no plan exists', async () => {
  const workspace = tempDir();
  const planner = scriptedPlanner(['nope', '{"steps": [}']);
  await assert.rejects(runPlanner(request(planner, workspace)), (error: unknown) => {
    assert.ok(error instanceof PlannerError);
    assert.match(error.message, /did not produce a valid plan in 2 attempts; nothing was stored/);
    return true;
  });
  assert.equal(planner.prompts.length, 2);
});

test('a rate-limited planner call is retried as a step’s would be: no earlier than the announced reset', async () => {
  const workspace = tempDir();
  const clock = new FakeClock();
  const limited = (resetAt?: number): StepFailure => ({
    code: 'RATE_LIMITED',
    kind: 'transient',
    message: 'model.example answered 429: slow down',
    ...(resetAt !== undefined && { resetAt }),
  });
  const calls: number[] = [];
  const failures = [limited(clock.now() + 3_000), limited()];
  const planner: Agent = {
    name: 'claude',
    async run(): Promise<AgentResult> {
      calls.push(clock.now());
      const failure = failures.shift();
      return failure ? { ok: false, failure } : { ok: true, output: JSON.stringify(validPlan) };
    },
  };
  const retries: number[] = [];
  const result = await clock.runUntilSettled(
    runPlanner({
      ...request(planner, workspace, clock),
      onRetry: (_failure, delayMs) => retries.push(delayMs),
    }),
  );
  assert.equal(result.plan.steps.length, validPlan.steps.length);
  const [first = 0, second = 0, third = 0] = calls;
  assert.equal(second - first, 3_000, 'the announced reset is waited for');
  // No reset the second time: the provider's shared backoff, 2 s for its second 429 in a row, jittered
  // over its upper half.
  assert.equal(third - second, 1_500);
  assert.deepEqual(retries, [3_000, 1_500]);
});

test('a planner whose model keeps failing is an error after the step retries; a permanent failure at once', async () => {
  const workspace = tempDir();
  const clock = new FakeClock();
  let calls = 0;
  const failing = (failure: StepFailure): Agent => ({
    name: 'claude',
    async run(): Promise<AgentResult> {
      calls++;
      return { ok: false, failure };
    },
  });
  await assert.rejects(
    clock.runUntilSettled(
      runPlanner(
        request(failing({ code: 'MODEL_ERROR', kind: 'transient', message: 'overloaded' }), workspace, clock),
      ),
    ),
    /the planner \(claude\) failed \(3 tries\): overloaded/,
  );
  assert.equal(calls, 3);
  calls = 0;
  await assert.rejects(
    clock.runUntilSettled(
      runPlanner(
        request(failing({ code: 'AUTH_FAILED', kind: 'permanent', message: 'bad key' }), workspace, clock),
      ),
    ),
    /the planner \(claude\) failed: bad key/,
  );
  assert.equal(calls, 1);
});

test('the planner sees bounded context: the tree, manifests, the README and the files the task names', () => {
  const workspace = tempDir();
  mkdirSync(join(workspace, 'src'));
  mkdirSync(join(workspace, 'node_modules', 'left-pad'), { recursive: true });
  writeFileSync(join(workspace, 'package.json'), '{"name":"demo"}');
  writeFileSync(join(workspace, 'README.md'), '# Demo\n');
  writeFileSync(join(workspace, 'src', 'app.ts'), 'export const app = 1;\n');
  writeFileSync(join(workspace, 'src', 'other.ts'), 'x'.repeat(100_000));
  writeFileSync(join(workspace, 'node_modules', 'left-pad', 'index.js'), '');
  const context = collectWorkspaceContext(workspace, 'fix src/app.ts please', {
    maxFiles: 10,
    maxFileBytes: 1_000,
    maxTotalBytes: 5_000,
  });
  assert.deepEqual(context.files.sort(), ['README.md', 'package.json', 'src/app.ts', 'src/other.ts']);
  assert.deepEqual(
    context.documents.map((document) => document.path),
    ['package.json', 'README.md', 'src/app.ts'],
  );
});
