/**
 * The workspace room's face to the engine: `prepare` (a step's worktree, or its place in the run's
 * integration worktree), the `merge` stage (which also commits what integration steps wrote), and
 * the run's start and end (its branch, then the summary and pruning). One instance per orchestrator
 * process, shared by its runs.
 */

import type { RunState } from '../engine/run-state.js';
import type {
  PreparedWorkspace,
  StageContext,
  StageResult,
  StepHookContext,
  StepStage,
} from '../engine/step-hooks.js';
import type { PlanDefinition, StepDefinition } from '../protocol/plan-types.js';
import type { Clock } from '../support/clock.js';
import type { Logger } from '../support/logger.js';
import { type BringInSettings, defaultBringIn } from './bring-in.js';
import { keepCandidate, mergeCandidate } from './candidate-merge.js';
import { readConflict, readResolution, writeResolution } from './conflict-records.js';
import { finishRunWorkspace } from './finish-run.js';
import { mainCheckout } from './git-repository.js';
import type { Git } from './git-runner.js';
import { IntegrationGate } from './integration-gate.js';
import {
  type IntegrationGateOfRun,
  landIntegrationStep,
  prepareIntegrationStep,
} from './integration-step.js';
import { type IsolationMode, isolationModes, planChangesCode } from './isolation-policy.js';
import { KeyedLock } from './keyed-lock.js';
import { describeStep, mergeStep } from './merge-stage.js';
import { noChangeStage } from './no-change-stage.js';
import { type PortBlockSettings, PortBlocks } from './port-blocks.js';
import { prepareIsolatedStep } from './prepare-step.js';
import { readPrepared } from './prepared-detail.js';
import { canResolve, resolutionStepFor } from './resolution-step.js';
import type { RunWorkspaceSummary } from './run-summary.js';
import { openRunWorkspace, type RunWorkspaceLookup, readRunRecord } from './run-workspace.js';
import type { ChangeDescription } from './step-changes.js';
import type { WorkspaceContext } from './workspace-context.js';
import { runWorktreeSetup, setupCommandsFor, type WorktreeSetup } from './worktree-setup.js';

export interface WorkspaceHooksOptions {
  git: Git;
  clock: Clock;
  logger: Logger;
  /** Where worktrees go: `<stateDir>/worktrees`. */
  worktreesDir: string;
  /** @default `.env*` copied, `node_modules` linked */
  bringIn?: BringInSettings;
  /** `off` (the CLI's `--no-isolation`): every step runs in the workspace. @default 'auto' */
  isolation?: 'auto' | 'off';
  /** Cap of the patch recorded with each merged step. @default 32 KiB */
  maxPatchBytes?: number;
  /** `workspace.setup`: commands run in each fresh worktree before its agent, and how to run them. */
  setup?: WorktreeSetup;
  /** The port blocks attempts get (`AI_COLLAB_PORT_BASE`). */
  ports?: PortBlockSettings;
  /**
   * Distributed mode: attempts run in a worker's own checkout, so setup is handed to the agent (the
   * worker runs it there) instead of running in this machine's worktree, which no agent works in.
   */
  setupOnAgent?: boolean;
}

/** What the user is told when a run starts. */
export type IsolationReport =
  | { kind: 'on'; runBranch: string; baseCommit: string; baseRef?: string; uncommittedChanges: boolean }
  | { kind: 'off'; reason: string }
  /** Nothing in the plan changes code: no branch is made. */
  | { kind: 'not-needed' };

/** What the engine tells the hooks about a conflict (see the proposed `StepHooks.onConflict`). */
export interface ConflictNotice {
  runId: string;
  step: StepDefinition;
  state: Readonly<RunState>;
}

export class WorkspaceHooks {
  readonly stages: readonly StepStage[];
  /** The `merge` stage alone, for a composition root that puts the review stage before it. */
  readonly mergeStage: StepStage;
  /** The `verify` stage: a write/edit step with a target fails as `NO_CHANGE` when it left it unchanged. */
  readonly verifyStage: StepStage;
  readonly #workspace: WorkspaceContext;
  readonly #isolation: 'auto' | 'off';
  readonly #runs = new Map<string, Promise<RunWorkspaceLookup>>();
  /** Who is in each run's integration worktree (this process runs the run's steps). */
  readonly #gates = new Map<string, IntegrationGateOfRun>();
  readonly #modes = new WeakMap<PlanDefinition, { size: number; modes: Map<string, IsolationMode> }>();
  readonly #ports: PortBlocks;
  readonly #setup: WorktreeSetup | undefined;
  readonly #setupOnAgent: boolean;
  /** Runs whose integration worktree was set up by this process (it keeps ignored files, so once is enough). */
  readonly #integrationSetUp = new Set<string>();

  constructor(options: WorkspaceHooksOptions) {
    this.#workspace = {
      git: options.git,
      clock: options.clock,
      logger: options.logger,
      worktreesDir: options.worktreesDir,
      bringIn: options.bringIn ?? defaultBringIn,
      maxPatchBytes: options.maxPatchBytes ?? 32 * 1024,
      repositoryLock: new KeyedLock(),
      runLock: new KeyedLock(),
    };
    this.#isolation = options.isolation ?? 'auto';
    this.#ports = new PortBlocks(options.ports);
    this.#setup = options.setup;
    this.#setupOnAgent = options.setupOnAgent ?? false;
    this.mergeStage = {
      name: 'merge',
      appliesTo: (step, state) => {
        const isolation = readPrepared(state.steps[step.id]?.workspaceDetail)?.isolation;
        return isolation === 'worktree' || isolation === 'integration';
      },
      run: (context) => this.#merge(context),
    };
    this.verifyStage = noChangeStage(options.git, async (context) => {
      const lookup = await this.#open(context.runId, context.workspace);
      return lookup.kind === 'off' ? undefined : lookup.run.repo.commonDir;
    });
    this.stages = [this.verifyStage, this.mergeStage];
  }

  /**
   * Opens the run's workspace (its branch from the user's HEAD) before the run starts, so the base is the
   * HEAD of that moment, and says what the user should be told. Safe to call again on resume.
   */
  async startRun(run: { runId: string; workspace: string; plan: PlanDefinition }): Promise<IsolationReport> {
    if (!planChangesCode(run.plan)) return { kind: 'not-needed' };
    if (this.#isolation === 'off')
      return { kind: 'off', reason: 'isolation was turned off (--no-isolation)' };
    const lookup = await this.#open(run.runId, run.workspace);
    if (lookup.kind === 'off') return lookup;
    const { record, repo } = lookup.run;
    const status = await this.#workspace.git(
      ['status', '--porcelain', '--untracked-files=no'],
      mainCheckout(repo),
    );
    return {
      kind: 'on',
      runBranch: record.runBranch,
      baseCommit: record.baseCommit,
      ...(record.baseRef !== undefined && { baseRef: record.baseRef }),
      uncommittedChanges: status.stdout.trim() !== '',
    };
  }

  /**
   * The step's directory; in a worktree (its own, or the run's integration worktree), with the attempt's
   * own port block (held until the attempt ends) and, in a fresh worktree, `workspace.setup` run first.
   */
  async prepare(context: StepHookContext): Promise<PreparedWorkspace> {
    const ports = this.#ports.lease(context.runId, context.step.id);
    try {
      const prepared = await this.#prepareDirectory(context, ports.env);
      const recorded = readPrepared(prepared.detail);
      const isolation = recorded?.isolation;
      if (isolation !== 'worktree' && isolation !== 'integration') {
        // In place there is no worktree of its own (and pooled agents stay warm without per-step variables).
        ports.release();
        return prepared;
      }
      const release = prepared.release;
      const setup =
        prepared.setup ??
        (isolation === 'worktree' ? await this.#runSetup(context, prepared.cwd, ports.env) : undefined);
      // A worker's checkout is fresh at every attempt: it is set up there, whatever the isolation here.
      const onAgent = this.#setupOnAgent ? setupCommandsFor(this.#setup, context) : [];
      return {
        ...prepared,
        ...(onAgent.length > 0 && { setupOnAgent: onAgent }),
        ...(recorded?.startCommit !== undefined && { startCommit: recorded.startCommit }),
        env: ports.env,
        release: () => {
          release?.();
          ports.release();
        },
        ...(setup && { setup: { ...setup, portBase: ports.base } }),
      };
    } catch (error) {
      ports.release();
      throw error;
    }
  }

  /** A step's worktree is fresh at every attempt (reset to its start, ignored files too): set it up. */
  async #runSetup(context: StepHookContext, cwd: string, env: Record<string, string>) {
    if (this.#setupOnAgent) return undefined;
    const commands = setupCommandsFor(this.#setup, context);
    if (commands.length === 0 || !this.#setup) return undefined;
    return runWorktreeSetup(this.#setup, commands, context, cwd, env);
  }

  async #prepareDirectory(context: StepHookContext, env: Record<string, string>): Promise<PreparedWorkspace> {
    const mode = this.#modeOf(context.state.plan, context.step.id);
    if (mode === 'in-place') return { cwd: context.workspace, detail: { isolation: 'in-place' } };
    if (this.#isolation === 'off')
      return { cwd: context.workspace, detail: { isolation: 'off', reason: 'turned off' } };
    const lookup = await this.#open(context.runId, context.workspace);
    if (lookup.kind === 'off')
      return { cwd: context.workspace, detail: { isolation: 'off', reason: lookup.reason } };
    if (mode === 'integration') {
      const runId = context.runId;
      return prepareIntegrationStep(
        this.#workspace,
        lookup.run,
        context,
        this.#gateOf(runId),
        async (cwd) => {
          if (this.#integrationSetUp.has(runId)) return undefined;
          const setup = await this.#runSetup(context, cwd, env);
          if (setup && setup.failure === undefined) this.#integrationSetUp.add(runId);
          return setup;
        },
      );
    }
    return prepareIsolatedStep(this.#workspace, lookup.run, context);
  }

  /**
   * The step to add when `notice.step` is conflicted (the engine's proposed `onConflict` hook): the same
   * agent, asked to resolve the conflict. Undefined for shell steps, which stay conflicted.
   */
  async onConflict(notice: ConflictNotice): Promise<StepDefinition | undefined> {
    if (!canResolve(notice.step)) return undefined;
    const lookup = await this.#open(notice.runId, notice.state.workspace);
    if (lookup.kind === 'off') return undefined;
    const record = readConflict(lookup.run.dir, notice.step.id);
    if (!record) return undefined;
    // A resolution whose own result conflicts gets one more try; after that a person decides.
    const resolved = readResolution(lookup.run.dir, notice.step.id);
    if (resolved && readResolution(lookup.run.dir, resolved.stepId)) return undefined;
    if (record.resolutionStepId !== undefined) {
      const existing = notice.state.plan.steps.find((step) => step.id === record.resolutionStepId);
      if (existing) return existing;
    }
    const taken = new Set(notice.state.plan.steps.map((step) => step.id));
    const resolution = resolutionStepFor(notice.step, record, taken);
    writeResolution(lookup.run.dir, record, resolution.id);
    return resolution;
  }

  /** After the run ends: unfinished work saved on its step branch, worktrees pruned, the summary. */
  async finishRun(state: Readonly<RunState>): Promise<RunWorkspaceSummary | undefined> {
    // Every run, with a worktree or not: its steps all lease port blocks.
    this.#ports.forgetRun(state.runId);
    if (!readRunRecord(this.#workspace.worktreesDir, state.runId)) return undefined;
    const lookup = await this.#open(state.runId, state.workspace);
    if (lookup.kind === 'off') return undefined;
    try {
      return await finishRunWorkspace(this.#workspace, lookup.run, state);
    } finally {
      this.#runs.delete(state.runId);
      this.#gates.delete(state.runId);
      this.#integrationSetUp.delete(state.runId);
    }
  }

  /**
   * What a step in its worktree has changed so far: for the review stage, which runs before the merge
   * and needs the diff. Undefined when the step has no worktree or changed nothing.
   */
  async changesOf(context: StageContext): Promise<ChangeDescription | undefined> {
    if (readPrepared(context.state.steps[context.step.id]?.workspaceDetail)?.isolation !== 'worktree')
      return undefined;
    const lookup = await this.#open(context.runId, context.workspace);
    if (lookup.kind === 'off') return undefined;
    return describeStep(this.#workspace, lookup.run, context);
  }

  /** Best-of-N: the picked candidate's kept work merged as the step's own; the candidates' worktrees go. */
  async mergeCandidate(context: StepHookContext & { candidate: StepDefinition }): Promise<StageResult> {
    const lookup = await this.#open(context.runId, context.workspace);
    if (lookup.kind === 'off') return { kind: 'passed' };
    return mergeCandidate(this.#workspace, lookup.run, context);
  }

  async #merge(context: StageContext): Promise<StageResult> {
    const lookup = await this.#open(context.runId, context.workspace);
    if (lookup.kind === 'off') return { kind: 'passed' };
    // A candidate is kept, not merged: its best-of-N step merges the one it picks.
    if (context.step.candidateOf !== undefined) return keepCandidate(this.#workspace, lookup.run, context);
    if (readPrepared(context.state.steps[context.step.id]?.workspaceDetail)?.isolation === 'integration')
      return landIntegrationStep(this.#workspace, lookup.run, context, this.#gateOf(context.runId));
    return mergeStep(this.#workspace, lookup.run, context);
  }

  #gateOf(runId: string): IntegrationGateOfRun {
    let gate = this.#gates.get(runId);
    if (!gate) {
      gate = new IntegrationGate();
      this.#gates.set(runId, gate);
    }
    return gate;
  }

  #modeOf(plan: PlanDefinition, stepId: string): IsolationMode {
    let cached = this.#modes.get(plan);
    // Steps added while the run goes (conflict resolutions) change the plan: decide again.
    if (cached?.size !== plan.steps.length) {
      cached = { size: plan.steps.length, modes: isolationModes(plan) };
      this.#modes.set(plan, cached);
    }
    return cached.modes.get(stepId) ?? 'worktree';
  }

  /** One open per run and process: parallel steps share it, and the branch is created once. */
  #open(runId: string, workspace: string): Promise<RunWorkspaceLookup> {
    let lookup = this.#runs.get(runId);
    if (!lookup) {
      lookup = openRunWorkspace(this.#workspace, {
        workspace,
        runId,
        worktreesDir: this.#workspace.worktreesDir,
      });
      // A failed open (git missing for a moment, a lock) is tried again by the next step.
      lookup.catch(() => this.#runs.delete(runId));
      this.#runs.set(runId, lookup);
    }
    return lookup;
  }
}

export function createWorkspaceHooks(options: WorkspaceHooksOptions): WorkspaceHooks {
  return new WorkspaceHooks(options);
}
