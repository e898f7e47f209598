/**
 * The arithmetic of a review: confidence-weighted consensus against a threshold, the quorum that makes too
 * many abstentions fail the review, and when the verdict is settled before every reviewer has voted.
 *
 * Over a whole swarm of n reviewers, with A and R the summed confidences of the approvals and rejections:
 * - fewer than n − maxAbstain usable votes: `failed` (never an approval);
 * - else `approved` when A > R and A ≥ threshold × (A + R); otherwise `rejected` (a tie never approves).
 *
 * Early, with m reviewers still to vote (each may approve or reject with any confidence up to 1, or
 * abstain), the verdict is settled when every way the m can vote gives the same full-swarm verdict. Both
 * sides are monotone (a vote for a side only helps it), so checking the m all approving with confidence 1,
 * and all rejecting, is enough. The optional MAKER margin stops sooner, on a lead, and may differ from the
 * full swarm; the settled rule never does.
 */

export type VoteChoice = 'approve' | 'reject' | 'abstain';
export type Verdict = 'approved' | 'rejected' | 'failed';

export interface CountedVote {
  vote: VoteChoice;
  /** 0..1; values outside are clamped. */
  confidence: number;
}

export interface VerdictRule {
  swarmSize: number;
  threshold: number;
  maxAbstain: number;
  /** Stop once one side leads by this many votes (and the weights agree with it). */
  margin?: number | undefined;
}

export interface Tally {
  approvals: number;
  rejections: number;
  abstentions: number;
  /** Usable votes: approvals and rejections. */
  counted: number;
  approveWeight: number;
  rejectWeight: number;
}

/** Float noise in summed confidences must not decide a review either way. */
const epsilon = 1e-9;

export function tallyVotes(votes: readonly CountedVote[]): Tally {
  const tally: Tally = {
    approvals: 0,
    rejections: 0,
    abstentions: 0,
    counted: 0,
    approveWeight: 0,
    rejectWeight: 0,
  };
  for (const { vote, confidence } of votes) {
    const weight = Number.isFinite(confidence) ? Math.min(1, Math.max(0, confidence)) : 0;
    if (vote === 'approve') {
      tally.approvals++;
      tally.approveWeight += weight;
    } else if (vote === 'reject') {
      tally.rejections++;
      tally.rejectWeight += weight;
    } else tally.abstentions++;
  }
  tally.counted = tally.approvals + tally.rejections;
  return tally;
}

/** Usable votes a verdict needs. */
export function quorumOf(rule: VerdictRule): number {
  return Math.max(1, rule.swarmSize - rule.maxAbstain);
}

/** Whether these weights approve: a strict majority that also reaches the threshold. */
export function approves(approveWeight: number, rejectWeight: number, threshold: number): boolean {
  const total = approveWeight + rejectWeight;
  return total > 0 && approveWeight > rejectWeight + epsilon && approveWeight >= threshold * total - epsilon;
}

/** Approval share of the weight, 0 when nobody voted. */
export function approvalShare(tally: Tally): number {
  const total = tally.approveWeight + tally.rejectWeight;
  return total > 0 ? tally.approveWeight / total : 0;
}

/** The verdict when these are all the votes there will be. */
export function finalVerdict(tally: Tally, rule: VerdictRule): Verdict {
  if (tally.counted < quorumOf(rule)) return 'failed';
  return approves(tally.approveWeight, tally.rejectWeight, rule.threshold) ? 'approved' : 'rejected';
}

/** The verdict if no way the `remaining` reviewers vote can change it; otherwise undefined. */
export function settledVerdict(tally: Tally, remaining: number, rule: VerdictRule): Verdict | undefined {
  const quorum = quorumOf(rule);
  if (tally.counted + remaining < quorum) return 'failed';
  // All of the remaining may abstain: below the quorum that would fail, so nothing else is settled yet.
  if (tally.counted < quorum) return remaining === 0 ? 'failed' : undefined;
  const { approveWeight: a, rejectWeight: r } = tally;
  if (approves(a, r + remaining, rule.threshold)) return 'approved';
  if (!approves(a + remaining, r, rule.threshold)) return 'rejected';
  return undefined;
}

/** The settled verdict, or the side leading by the margin when the rule has one. */
export function earlyVerdict(tally: Tally, remaining: number, rule: VerdictRule): Verdict | undefined {
  const settled = settledVerdict(tally, remaining, rule);
  if (settled !== undefined || rule.margin === undefined) return settled;
  if (tally.counted < quorumOf(rule)) return undefined;
  const approved = approves(tally.approveWeight, tally.rejectWeight, rule.threshold);
  if (approved && tally.approvals - tally.rejections >= rule.margin) return 'approved';
  if (!approved && tally.rejections - tally.approvals >= rule.margin) return 'rejected';
  return undefined;
}

/**
 * How many more reviewers to launch now: the fewest that, together with those still working, could
 * settle the verdict if they all agreed (with full confidence). Launching more could only waste calls;
 * launching fewer would only add a round. `unlaunched` caps it.
 */
export function reviewersToLaunch(
  tally: Tally,
  inFlight: number,
  unlaunched: number,
  rule: VerdictRule,
): number {
  for (let extra = 0; extra <= unlaunched; extra++) {
    const coming = inFlight + extra;
    if (coming === 0) continue;
    const remaining = unlaunched - extra;
    const allApprove = withVotes(tally, 'approve', coming);
    const allReject = withVotes(tally, 'reject', coming);
    if (
      earlyVerdict(allApprove, remaining, rule) !== undefined ||
      earlyVerdict(allReject, remaining, rule) !== undefined
    )
      return extra;
  }
  return unlaunched;
}

function withVotes(tally: Tally, vote: 'approve' | 'reject', count: number): Tally {
  return vote === 'approve'
    ? {
        ...tally,
        approvals: tally.approvals + count,
        counted: tally.counted + count,
        approveWeight: tally.approveWeight + count,
      }
    : {
        ...tally,
        rejections: tally.rejections + count,
        counted: tally.counted + count,
        rejectWeight: tally.rejectWeight + count,
      };
}
