/**
 * The attempt of a best-of-N step: no agent runs; the candidates have. It ranks them, records the pick
 * (with every candidate's standing), and merges the winner's change through the workspace, so the step
 * succeeds with the winner's commits and output, exactly as if it had made them itself.
 */
import type { StepDefinition } from '../../protocol/plan-types.js';
import type { Clock } from '../../support/clock.js';
import type { RunRecorder } from '../run-recorder.js';
import type { AttemptOutcome } from '../step-attempt.js';
import type { StepHooks } from '../step-hooks.js';
import { rankCandidates } from './rank-candidates.js';

export interface PickContext {
  recorder: RunRecorder;
  clock: Clock;
  workspace: string;
  hooks?: StepHooks;
  signal: AbortSignal;
}

export async function pickCandidate(
  step: StepDefinition,
  attempt: number,
  context: PickContext,
): Promise<AttemptOutcome> {
  const { recorder, clock } = context;
  const stepId = step.id;
  const startedAt = clock.now();
  recorder.record({
    type: 'step.started',
    data: { stepId, attempt, agent: recorder.state.steps[stepId]?.agent ?? step.agent },
  });
  await recorder.durable();
  if (context.signal.aborted) return { kind: 'stopped', reason: 'interrupt' };
  const state = recorder.state;
  const pickState = state.steps[stepId];
  const choice = pickState ? rankCandidates(state, pickState) : { ranking: [] };
  const winner = state.plan.steps.find((candidate) => candidate.id === choice.picked);
  const winnerState = choice.picked !== undefined ? state.steps[choice.picked] : undefined;
  if (!winner || !winnerState) {
    const reasons = choice.ranking.map((entry) => `${entry.stepId} (${entry.agent}): ${entry.reason}`);
    return {
      kind: 'failed',
      durationMs: clock.now() - startedAt,
      failure: {
        code: 'AGENT_ERROR',
        kind: 'permanent',
        message: `no candidate passed: ${reasons.join('; ') || 'none ran'}`,
      },
    };
  }
  recorder.record({
    type: 'step.candidate-picked',
    data: { stepId, attempt, candidate: winner.id, mode: step.pick ?? 'best', ranking: choice.ranking },
  });
  const succeeded = (change?: { startCommit: string; resultCommit: string }): AttemptOutcome => ({
    kind: 'succeeded',
    durationMs: clock.now() - startedAt,
    output: winnerState.output ?? '',
    ...(winnerState.filesChanged !== undefined && { filesChanged: winnerState.filesChanged }),
    ...(change && { change }),
  });
  if (!context.hooks?.mergeCandidate) return succeeded();
  recorder.record({ type: 'step.stage-started', data: { stepId, attempt, stage: 'merge' } });
  const merged = await context.hooks.mergeCandidate({
    runId: state.runId,
    step,
    attempt,
    workspace: context.workspace,
    state,
    signal: context.signal,
    candidate: winner,
  });
  const durationMs = clock.now() - startedAt;
  switch (merged.kind) {
    case 'passed':
      recorder.record({
        type: 'step.stage-passed',
        data: {
          stepId,
          attempt,
          stage: 'merge',
          ...(merged.detail !== undefined && { detail: merged.detail }),
        },
      });
      return succeeded(merged.change);
    case 'conflicted':
      return { kind: 'conflicted', files: merged.files, message: merged.message, durationMs };
    case 'failed':
      return { kind: 'failed', failure: merged.failure, durationMs };
    case 'rejected':
      return {
        kind: 'failed',
        failure: { code: 'INTERNAL', kind: 'permanent', message: merged.reason },
        durationMs,
      };
  }
}
