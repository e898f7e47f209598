/** Reviewers' votes: who, approve or reject, how sure, and why (with the attempt when there were several). */
import type { ReviewVoteData } from '../../../src/engine/events.js';

export function VoteList(props: { votes: Array<ReviewVoteData & { attempt?: number }>; testId?: string }) {
  const { votes } = props;
  if (votes.length === 0) return <p class="muted">No reviewer has voted on this step.</p>;
  return (
    <ul class="votes" data-testid={props.testId}>
      {votes.map((vote) => (
        <li key={`${vote.attempt ?? ''}-${vote.reviewer}`} class={`vote vote-${vote.vote}`}>
          <strong>{vote.reviewer}</strong>
          {` ${vote.vote} (${Math.round(vote.confidence * 100)}%)${vote.attempt !== undefined ? ` · attempt ${vote.attempt}` : ''}`}
          <p>{vote.reason}</p>
        </li>
      ))}
    </ul>
  );
}
