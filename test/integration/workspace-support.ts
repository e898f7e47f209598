import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import type { Agent } from '../../src/agents/agent.js';
import { baseEnvironmentPolicy } from '../../src/agents/process/child-environment.js';
import { identify } from '../../src/agents/process/proc-table.js';
import { AgentRegistry } from '../../src/agents/registry.js';
import { createShellAgent } from '../../src/agents/shell/shell-agent.js';
import { Engine } from '../../src/engine/engine.js';
import type { RunState } from '../../src/engine/run-state.js';
import type { PreparedWorkspace, StepHookContext, StepHooks } from '../../src/engine/step-hooks.js';
import { newStepState } from '../../src/engine/step-projection.js';
import { SlotPool } from '../../src/limits/slot-pool.js';
import type { PlanDefinition, StepDefinition } from '../../src/protocol/plan-types.js';
import { SqliteStore } from '../../src/store/sqlite/sqlite-store.js';
import { systemClock } from '../../src/support/clock.js';
import { silentLogger } from '../../src/support/logger.js';
import { createGitRunner } from '../../src/workspace/git-runner.js';
import { summaryFromState } from '../../src/workspace/run-summary.js';
import {
  createWorkspaceHooks,
  type WorkspaceHooks,
  type WorkspaceHooksOptions,
} from '../../src/workspace/workspace-hooks.js';
import { isolationFromDetail, workspaceStepHooks } from '../../src/workspace/workspace-step-hooks.js';
import { tempDir } from '../support/temp-dir.js';

/** Plain git for the test's own setup and assertions (the user's side, not the orchestrator's). */
export function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', ['-c', 'user.name=Test User', '-c', 'user.email=test@example.com', ...args], {
    cwd,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, GIT_CONFIG_NOSYSTEM: '1', LC_ALL: 'C' },
  });
}

/** A repository with one commit holding `files`. */
export function gitRepo(files: Record<string, string> = { 'README.md': 'hello\n' }): string {
  const repo = tempDir('ai-collab-repo-');
  git(repo, 'init', '-q', '-b', 'main');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, path)), { recursive: true });
    writeFileSync(join(repo, path), content);
  }
  git(repo, 'add', '-A');
  git(repo, 'commit', '-q', '-m', 'initial');
  // What `ai-collab` does for its state directory (cli/state-paths.ts).
  writeFileSync(join(repo, '.git', 'info', 'exclude'), '/.ai-collab/\n');
  return repo;
}

/** Everything of the user's checkout a run must not change: HEAD, branch, index, status, every file. */
export function checkoutSnapshot(repo: string): Record<string, string> {
  const snapshot: Record<string, string> = {
    head: git(repo, 'rev-parse', 'HEAD').trim(),
    branch: git(repo, 'symbolic-ref', '-q', 'HEAD').trim(),
    status: git(repo, 'status', '--porcelain=v1', '--untracked-files=all'),
    index: createHash('sha256')
      .update(readFileSync(join(repo, '.git', 'index')))
      .digest('hex'),
    indexEntries: git(repo, 'ls-files', '--stage'),
  };
  const walk = (directory: string, prefix: string): void => {
    for (const name of readdirSync(directory)) {
      if (prefix === '' && (name === '.git' || name === '.ai-collab')) continue;
      const path = join(directory, name);
      const stat = statSync(path, { throwIfNoEntry: false });
      if (stat?.isDirectory()) walk(path, `${prefix}${name}/`);
      else if (stat)
        snapshot[`file:${prefix}${name}`] = createHash('sha256').update(readFileSync(path)).digest('hex');
    }
  };
  walk(repo, '');
  return snapshot;
}

export function shellStep(id: string, run: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    label: id,
    agent: 'shell',
    run,
    needs: [],
    retries: 0,
    backoff: { initialMs: 10, maxMs: 10, factor: 1 },
    ...extra,
  };
}

export function planOf(steps: StepDefinition[], concurrency = 4): PlanDefinition {
  return { name: 'workspace-test', format: 'native', concurrency, steps };
}

export function ownOwner() {
  const self = identify(process.pid);
  return {
    pid: process.pid,
    startTime: self?.startTime ?? '0',
    bootId: self?.bootId ?? 'unknown',
    host: hostname(),
  };
}

export interface WorkspaceEngine {
  engine: Engine;
  hooks: WorkspaceHooks;
  store: SqliteStore;
  stateDir: string;
  close(): Promise<void>;
}

/** The engine the CLI would build, with the workspace hooks, the real shell agent and any extra agents. */
export function workspaceEngine(
  repo: string,
  options: {
    databaseFile?: string;
    agents?: Agent[];
    hooks?: Partial<WorkspaceHooksOptions>;
    wrap?: (hooks: WorkspaceHooks) => StepHooks;
  } = {},
): WorkspaceEngine {
  const stateDir = join(repo, '.ai-collab');
  mkdirSync(stateDir, { recursive: true });
  const store = new SqliteStore({ path: options.databaseFile ?? ':memory:', clock: systemClock });
  const registry = new AgentRegistry();
  registry.register(
    'shell',
    createShellAgent({
      clock: systemClock,
      environment: baseEnvironmentPolicy,
      sourceEnvironment: process.env,
      maxLogBytes: 1_000_000,
      killGraceMs: 500,
      drainMs: 200,
    }),
  );
  for (const agent of options.agents ?? []) registry.register(agent.name, agent);
  const hooks = createWorkspaceHooks({
    git: createGitRunner({ environment: process.env }),
    clock: systemClock,
    logger: silentLogger,
    worktreesDir: join(stateDir, 'worktrees'),
    ...options.hooks,
  });
  const engine = new Engine({
    store,
    clock: systemClock,
    logger: silentLogger,
    random: Math.random,
    agents: registry,
    slots: new SlotPool({}),
    owner: ownOwner(),
    stateDir,
    killGraceMs: 500,
    hooks: options.wrap ? options.wrap(hooks) : workspaceStepHooks(hooks),
  });
  return {
    engine,
    hooks,
    store,
    stateDir,
    close: async () => {
      await registry.closeAll();
      store.close();
    },
  };
}

/** What the CLI does around a run: open the workspace, run, then finish (summary and pruning). */
export async function runPlan(setup: WorkspaceEngine, repo: string, plan: PlanDefinition) {
  const created = setup.engine.createRun({ plan, workspace: repo, planFile: null });
  // The engine opens the workspace before the first step and wraps it up after the last (its hooks).
  const state: RunState = await setup.engine.startRun(created.runId).done;
  const isolation = isolationFromDetail(state.workspaceDetail) ?? { kind: 'not-needed' as const };
  const summary = summaryFromState(state.workspaceSummary);
  return { runId: created.runId, state, isolation, summary };
}

export function fileOnBranch(repo: string, branch: string, path: string): string | undefined {
  try {
    return git(repo, 'show', `${branch}:${path}`);
  } catch {
    return undefined;
  }
}

/** An in-process agent that edits files in its workspace with a function: a stand-in for a coding agent. */
export function editingAgent(
  name: string,
  edit: (task: {
    stepId: string;
    workspace: string;
    prompt: string;
    attempt: number;
  }) => void | Promise<void>,
): Agent & { prompts: Map<string, string> } {
  const prompts = new Map<string, string>();
  return {
    name,
    prompts,
    async run(task) {
      const prompt = task.step.prompt ?? '';
      prompts.set(task.stepId, prompt);
      await edit({ stepId: task.stepId, workspace: task.workspace, prompt, attempt: task.attempt });
      return { ok: true, output: `${task.stepId} edited` };
    },
  };
}

export function agentStep(id: string, agent: string, extra: Partial<StepDefinition> = {}): StepDefinition {
  return {
    id,
    label: id,
    agent,
    action: 'edit',
    prompt: `do ${id}`,
    needs: [],
    retries: 0,
    backoff: { initialMs: 10, maxMs: 10, factor: 1 },
    ...extra,
  };
}

/** Resolves for every caller once `count` callers are waiting: steps that must overlap in time. */
export function barrier(count: number): () => Promise<void> {
  let waiting = 0;
  let open: () => void = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return () => {
    waiting++;
    if (waiting >= count) open();
    return opened;
  };
}

/**
 * Runs one step as the engine runs any step: prepare, the agent in the prepared directory, the merge stage.
 * A step the state does not know joins the plan first: the test double of the proposed engine change
 * (`step.added`). A step it knows keeps its recorded workspace detail, as a re-run after a crash does.
 */
export async function runStepLikeTheEngine(
  hooks: WorkspaceHooks,
  agent: Agent,
  state: RunState,
  step: StepDefinition,
  attempt = 1,
) {
  const known = state.steps[step.id];
  const plan = known ? state.plan : { ...state.plan, steps: [...state.plan.steps, step] };
  // A running step waits on nothing: its needs are done.
  const stepState = {
    ...(known ?? { ...newStepState(step), waitingOn: 0 }),
    status: 'running' as const,
    attempts: attempt,
  };
  const live: RunState = {
    ...state,
    plan,
    steps: { ...state.steps, [step.id]: stepState },
    order: known ? state.order : [...state.order, step.id],
  };
  const signal = new AbortController().signal;
  const base = { runId: state.runId, step, attempt, workspace: state.workspace, state: live, signal };
  const prepared = await hooks.prepare(base);
  live.steps[step.id] = {
    ...stepState,
    cwd: prepared.cwd,
    ...(prepared.detail !== undefined && { workspaceDetail: prepared.detail }),
  };
  try {
    return await runAgentAndMerge(hooks, agent, base, prepared);
  } finally {
    prepared.release?.();
  }
}

async function runAgentAndMerge(
  hooks: WorkspaceHooks,
  agent: Agent,
  base: StepHookContext,
  prepared: PreparedWorkspace,
) {
  const { runId, step, attempt, signal } = base;
  const result = await agent.run({
    runId,
    stepId: step.id,
    attempt,
    step,
    workspace: prepared.cwd,
    logFile: '/dev/null',
    signal,
    onProcessStarted() {},
  });
  if (!result.ok) throw new Error(`the step failed: ${result.failure.message}`);
  return {
    prepared,
    result: await hooks.mergeStage.run({
      ...base,
      cwd: prepared.cwd,
      output: result.output,
      recordVote() {},
    }),
  };
}

export function runAddedStep(hooks: WorkspaceHooks, agent: Agent, state: RunState, step: StepDefinition) {
  return runStepLikeTheEngine(hooks, agent, state, step);
}
