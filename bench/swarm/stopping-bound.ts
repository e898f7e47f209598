/**
 * A yardstick for early stopping, computed exactly for a simplified population (votes of equal weight, each
 * right with a known probability, half the changes right): the rule that is told that probability and stops
 * as soon as it is `target` sure of the full swarm's verdict. A rule that does not know the accuracy has to
 * be more careful than this one, so where the yardstick spends more than half the calls at 99 %, a
 * stopping rule meeting both goals is not to be had for that population.
 */

export interface StoppingBound {
  accuracy: number;
  /** Votes used, as a share of the swarm. */
  callShare: number;
  agreement: number;
}

function binomial(n: number, k: number): number {
  let result = 1;
  for (let index = 1; index <= k; index++) result = (result * (n - k + index)) / index;
  return result;
}

export function stoppingBound(accuracy: number, size = 6, threshold = 0.6, target = 0.99): StoppingBound {
  const approvesAll = (approvals: number, rejections: number) =>
    approvals > rejections && approvals >= threshold * (approvals + rejections) - 1e-9;
  // Chance that the rest of the swarm, voting approve with probability q each, ends in approval.
  const approvalChance = (approvals: number, rejections: number, q: number) => {
    const rest = size - approvals - rejections;
    let sum = 0;
    for (let more = 0; more <= rest; more++) {
      if (approvesAll(approvals + more, rejections + rest - more))
        sum += binomial(rest, more) * q ** more * (1 - q) ** (rest - more);
    }
    return sum;
  };
  const fullApproves = (approvals: number, rejections: number) => {
    const good = accuracy ** approvals * (1 - accuracy) ** rejections;
    const bad = (1 - accuracy) ** approvals * accuracy ** rejections;
    const posterior = good / (good + bad);
    return (
      posterior * approvalChance(approvals, rejections, accuracy) +
      (1 - posterior) * approvalChance(approvals, rejections, 1 - accuracy)
    );
  };
  let votes = 0;
  let agreement = 0;
  for (const q of [accuracy, 1 - accuracy]) {
    let states = new Map<string, { approvals: number; rejections: number; weight: number }>([
      ['0/0', { approvals: 0, rejections: 0, weight: 0.5 }],
    ]);
    while (states.size > 0) {
      const next = new Map<string, { approvals: number; rejections: number; weight: number }>();
      for (const { approvals, rejections, weight } of states.values()) {
        const believed = fullApproves(approvals, rejections);
        if (approvals + rejections === size || believed >= target || believed <= 1 - target) {
          const actual = approvalChance(approvals, rejections, q);
          agreement += weight * (believed >= 0.5 ? actual : 1 - actual);
          votes += weight * (approvals + rejections);
          continue;
        }
        for (const [approve, chance] of [
          [1, q],
          [0, 1 - q],
        ] as const) {
          const state = { approvals: approvals + approve, rejections: rejections + 1 - approve };
          const key = `${state.approvals}/${state.rejections}`;
          const existing = next.get(key);
          next.set(key, { ...state, weight: (existing?.weight ?? 0) + weight * chance });
        }
      }
      states = next;
    }
  }
  return { accuracy, callShare: votes / size, agreement };
}
