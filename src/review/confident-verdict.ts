/**
 * Stopping once the full swarm's verdict is 99 % certain under the reviewers' learned accuracies.
 *
 * The change is right or wrong, even odds before any vote. A vote from a reviewer of accuracy p moves the
 * log-odds by ±log(p / (1 − p)), so a neutral reviewer (p = 0.5) moves nothing. From that posterior, each
 * way the remaining reviewers could vote has a chance (each right with its own p), and each gives a
 * full-swarm verdict under the real rule (confidence weights, threshold); summing gives the chance of each
 * verdict. The swarm stops when one verdict has at least `target` of it. Remaining votes are assumed to
 * be cast (their abstentions are not modelled) at full confidence, the strongest they could be, as the
 * settled rule assumes: so with neutral reviewers (every outcome equally likely, each at least 1/2^m) it
 * stops exactly where the settled rule does, and no sooner. Against the
 * settled rule (no way the rest vote can change the verdict) this one may, rarely, differ from the full
 * swarm: at most 1 − target of the time when the accuracies are right.
 */
import { finalVerdict, quorumOf, type Tally, type Verdict, type VerdictRule } from './verdict.js';

/** Past this many remaining reviewers the 2^m outcomes are not enumerated: the settled rule alone decides. */
const maxEnumerated = 12;
/** No reviewer is trusted beyond this: one vote must never be certainty. */
const maxAccuracy = 0.99;

export interface ConfidentState {
  tally: Tally;
  /** Accuracy of each reviewer who approved, and of each who rejected. */
  approverAccuracies: readonly number[];
  rejecterAccuracies: readonly number[];
  /** Accuracy of each reviewer still to vote. */
  remaining: readonly number[];
}

const clampAccuracy = (accuracy: number): number =>
  Number.isFinite(accuracy) ? Math.min(maxAccuracy, Math.max(0.5, accuracy)) : 0.5;

export function voteWeight(accuracy: number): number {
  const p = clampAccuracy(accuracy);
  return Math.log(p / (1 - p));
}

/** The chance the change is right, from the votes so far. */
export function posteriorRight(
  state: Pick<ConfidentState, 'approverAccuracies' | 'rejecterAccuracies'>,
): number {
  let logOdds = 0;
  for (const accuracy of state.approverAccuracies) logOdds += voteWeight(accuracy);
  for (const accuracy of state.rejecterAccuracies) logOdds -= voteWeight(accuracy);
  return 1 / (1 + Math.exp(-logOdds));
}

/** The chance the full swarm approves, given the votes so far and the remaining reviewers' accuracies. */
export function fullApprovalChance(state: ConfidentState, rule: VerdictRule): number {
  const right = posteriorRight(state);
  const { tally } = state;
  const remaining = state.remaining.map(clampAccuracy);
  const m = remaining.length;
  let chance = 0;
  for (let outcome = 0; outcome < 2 ** m; outcome++) {
    let ifRight = 1;
    let ifWrong = 1;
    let approvals = 0;
    for (let index = 0; index < m; index++) {
      const p = remaining[index] as number;
      const approve = (outcome >> index) & 1;
      approvals += approve;
      ifRight *= approve ? p : 1 - p;
      ifWrong *= approve ? 1 - p : p;
    }
    const rejections = m - approvals;
    const full: Tally = {
      ...tally,
      approvals: tally.approvals + approvals,
      rejections: tally.rejections + rejections,
      counted: tally.counted + m,
      approveWeight: tally.approveWeight + approvals,
      rejectWeight: tally.rejectWeight + rejections,
    };
    if (finalVerdict(full, rule) === 'approved') chance += right * ifRight + (1 - right) * ifWrong;
  }
  return chance;
}

/** The verdict the full swarm reaches with at least `target` chance, or undefined. */
export function confidentVerdict(
  state: ConfidentState,
  rule: VerdictRule,
  target = 0.99,
): Verdict | undefined {
  if (state.remaining.length > maxEnumerated) return undefined;
  if (state.tally.counted + state.remaining.length < quorumOf(rule)) return undefined;
  const approval = fullApprovalChance(state, rule);
  if (approval >= target) return 'approved';
  if (1 - approval >= target) return 'rejected';
  return undefined;
}
