/**
 * Best-of-N in the plan itself: a step with `candidates: N` or `agents: [...]` becomes N candidate steps
 * (`<id>#1` … `<id>#N`, the same task and needs, each its own agent attempt with its own worktree) and
 * the step itself, which now needs its candidates and merges the one it picks. Everything a step has
 * (slots, rate limits, retries, review, budget, failover) therefore applies to each candidate as is.
 */
import type { PickMode, StepDefinition } from '../protocol/plan-types.js';
import type { PlanProblem } from './plan-problem.js';

export interface CandidateRequest {
  /** Position of the step in the file, for error paths. */
  index: number;
  count?: number | undefined;
  agents?: string[] | undefined;
  pick?: PickMode | undefined;
}

/** The id of a step's `n`th candidate (1-based). */
export function candidateId(stepId: string, n: number): string {
  return `${stepId}#${n}`;
}

export function expandCandidates(
  steps: readonly StepDefinition[],
  requests: ReadonlyMap<string, CandidateRequest>,
): { steps: StepDefinition[]; problems: PlanProblem[] } {
  if (requests.size === 0) return { steps: [...steps], problems: [] };
  const problems: PlanProblem[] = [];
  const taken = new Set(steps.map((step) => step.id));
  const expanded: StepDefinition[] = [];
  for (const step of steps) {
    const request = requests.get(step.id);
    if (!request) {
      expanded.push(step);
      continue;
    }
    const problem = requestProblem(step, request);
    if (problem) {
      problems.push(problem);
      expanded.push(step);
      continue;
    }
    const agents = request.agents ?? Array.from({ length: request.count ?? 0 }, () => step.agent);
    const ids = agents.map((_agent, position) => candidateId(step.id, position + 1));
    const clash = ids.find((id) => taken.has(id));
    if (clash !== undefined) {
      problems.push({
        path: ['steps', request.index, 'id'],
        message: `candidate id "${clash}" is already a step's id; rename that step`,
      });
      expanded.push(step);
      continue;
    }
    agents.forEach((agent, position) => {
      const { fallback: _fallback, ...definition } = step;
      expanded.push({
        ...definition,
        ...(agent === step.agent && step.fallback !== undefined && { fallback: step.fallback }),
        id: ids[position] as string,
        label: ids[position] as string,
        agent,
        candidateOf: step.id,
        candidate: position + 1,
      });
    });
    const { fallback: _fallback, ...parent } = step;
    expanded.push({
      ...parent,
      needs: ids,
      // The pick merges what a candidate made; the candidates themselves were reviewed.
      review: false,
      retries: 0,
      pick: request.pick ?? 'best',
      candidates: ids,
    });
  }
  return { steps: expanded, problems };
}

function requestProblem(step: StepDefinition, request: CandidateRequest): PlanProblem | undefined {
  const path = ['steps', request.index];
  if (request.count !== undefined && request.agents !== undefined)
    return {
      path: [...path, 'agents'],
      message: 'use either candidates: N (the same agent N times) or agents: [...] (one each), not both',
    };
  if (request.count === undefined && request.agents === undefined)
    return {
      path: [...path, 'pick'],
      message: 'pick: needs candidates: N or agents: [...] on the same step',
    };
  if (step.run !== undefined || step.agent === 'shell')
    return {
      path: [...path, request.count !== undefined ? 'candidates' : 'agents'],
      message: 'a shell step has nothing to choose between; candidates are for agent steps',
    };
  return undefined;
}
