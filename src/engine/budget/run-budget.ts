/**
 * The scheduler's view of one run's money: prices what attempts report, forecasts what a step will
 * spend, and decides whether a step may start under the run's budget or has passed its own cap. It lives
 * in the executor (the coordinator in distributed mode), never in an adapter, so every kind of agent and
 * every worker is held to the same budget.
 */
import type { AgentUsage } from '../../agents/agent.js';
import type { StepDefinition } from '../../protocol/plan-types.js';
import type { StepUsage } from '../events.js';
import type { RunRecorder } from '../run-recorder.js';
import type { RunState } from '../run-state.js';
import type { AttemptOutcome, StepAttempt } from '../step-attempt.js';
import { expectedSpend, forecastStep, type SpendHistory } from './forecast.js';
import { formatBudgetUsd } from './format-usd.js';
import { type PriceTable, shippedPrices } from './price-table.js';
import { pricedUsage, tokensOf } from './priced-usage.js';
import { noSpend, type Spend, wouldPassBudget } from './spend.js';

export interface RunBudgetDeps {
  prices: PriceTable;
  /** The model an agent is configured with, for agents that do not name it in their usage. */
  modelOf(agent: string): string | undefined;
  /** Spend of past runs' steps; absent, only this run's own steps inform the forecast. */
  history?: SpendHistory;
}

export class RunBudget {
  readonly #deps: RunBudgetDeps;
  /** Spend of this run's successful attempts, per agent and action, newest last. */
  readonly #ownSamples = new Map<string, Array<{ costUsd: number | null; tokens: number | null }>>();
  /** The latest usage running attempts reported (cumulative for the attempt). */
  readonly #live = new Map<string, StepUsage>();

  constructor(deps: RunBudgetDeps) {
    this.#deps = deps;
  }

  /** The budget of a run on the executor's agents and prices (the shipped table when none is given). */
  static forRun(
    deps: { prices?: PriceTable; agents: { modelOf(agent: string): string | undefined } },
    history: SpendHistory | undefined,
  ): RunBudget {
    return new RunBudget({
      prices: deps.prices ?? shippedPrices,
      modelOf: (agent) => deps.agents.modelOf(agent),
      ...(history && { history }),
    });
  }

  price(agent: string, usage: AgentUsage): StepUsage {
    return pricedUsage(usage, this.#deps.modelOf(agent), this.#deps.prices);
  }

  /** A successful attempt's spend informs the forecasts of the steps after it. */
  learn(step: StepDefinition, usage: StepUsage): void {
    const key = keyOf(step.agent, step.action ?? 'execute');
    const samples = this.#ownSamples.get(key) ?? [];
    samples.unshift({
      costUsd: usage.costUsd !== undefined && !usage.costUnknown ? usage.costUsd : null,
      tokens: tokensOf(usage),
    });
    this.#ownSamples.set(key, samples);
  }

  reportLive(stepId: string, usage: StepUsage): void {
    this.#live.set(stepId, usage);
  }

  settled(stepId: string): void {
    this.#live.delete(stepId);
  }

  /**
   * Whether `step` may start: what the run spent, plus what its running steps are expected to spend
   * (their forecast, or what they reported if more), plus this step's forecast, stays within the budget.
   */
  admits(state: RunState, step: StepDefinition, running: Iterable<StepDefinition>): boolean {
    if (!state.budget) return true;
    let committed: Spend = { ...noSpend };
    for (const other of running) {
      const expected = this.#expected(other);
      const live = this.#live.get(other.id);
      committed = {
        usd: committed.usd + Math.max(expected.usd, live?.costUsd ?? 0),
        tokens: committed.tokens + Math.max(expected.tokens, live ? tokensOf(live) : 0),
        uncostedTokens: committed.uncostedTokens,
      };
    }
    const next = this.#expected(step);
    return !wouldPassBudget(state.budget, state.spent ?? noSpend, {
      usd: committed.usd + next.usd,
      tokens: committed.tokens + next.tokens,
      uncostedTokens: 0,
    });
  }

  /** Follows the run's live usage reports: counted against the budget, and a step past its cap stopped. */
  watch(recorder: RunRecorder, attemptOf: (stepId: string) => StepAttempt | undefined): () => void {
    return recorder.subscribeLive((stepId, _attempt, part) => {
      const attempt = part.type === 'usage-report' ? attemptOf(stepId) : undefined;
      if (!attempt || part.type !== 'usage-report') return;
      const priced = this.price(attempt.step.agent, part.usage);
      this.reportLive(stepId, priced);
      const over = this.overCap(attempt.step, priced);
      if (over !== undefined) attempt.abort('budget', over);
    });
  }

  /** The outcome with its usage priced: the agent's own cost, or tokens × the price of its model. */
  pricedOutcome(agent: string, outcome: AttemptOutcome): AttemptOutcome {
    if (outcome.kind === 'stopped' || !outcome.usage) return outcome;
    return { ...outcome, usage: this.price(agent, outcome.usage) };
  }

  /**
   * Records that no further step fits and nothing runs: the run pauses (never fails), its owner let go,
   * so a raise from any front end or process continues it.
   */
  recordReached(recorder: RunRecorder, waiting: number): void {
    const { state } = recorder;
    recorder.record({
      type: 'run.budget-reached',
      data: { budget: state.budget ?? {}, spent: state.spent ?? noSpend, waiting },
    });
  }

  /** `overCap` for what an agent reported at the end of an attempt. */
  overCapWith(step: StepDefinition, usage: AgentUsage | undefined): string | undefined {
    return usage ? this.overCap(step, this.price(step.agent, usage)) : undefined;
  }

  /** Why `usage` passes the step's own cap, or undefined while it is within it. */
  overCap(step: StepDefinition, usage: StepUsage): string | undefined {
    const cap = step.budget;
    if (!cap) return undefined;
    if (cap.usd !== undefined && usage.costUsd !== undefined && usage.costUsd > cap.usd) {
      return `step ${step.id} spent ${formatBudgetUsd(usage.costUsd)}, past its budget of ${formatBudgetUsd(cap.usd)}; raise budget.usd on the step to let it finish`;
    }
    if (cap.tokens !== undefined && tokensOf(usage) > cap.tokens) {
      return `step ${step.id} used ${tokensOf(usage)} tokens, past its budget of ${cap.tokens}; raise budget.tokens on the step to let it finish`;
    }
    return undefined;
  }

  #expected(step: StepDefinition): { usd: number; tokens: number } {
    return expectedSpend(
      forecastStep(step, (agent, action) => this.#samples(agent, action)),
      step,
    );
  }

  #samples(agent: string, action: string): Array<{ costUsd: number | null; tokens: number | null }> {
    const own = this.#ownSamples.get(keyOf(agent, action)) ?? [];
    return [...own, ...(this.#deps.history?.(agent, action) ?? [])];
  }
}

function keyOf(agent: string, action: string): string {
  return `${agent}\u0000${action}`;
}
