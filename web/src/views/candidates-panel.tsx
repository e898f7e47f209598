/**
 * Best-of-N in the step view: each candidate side by side (agent, status, review score, cost, size of
 * its change, and why it was or was not picked), and where the step moved when its agent could not take it.
 */
import type { RunState, StepState } from '../../../src/engine/run-state.js';

export function CandidatesPanel(props: { state: RunState; step: StepState }) {
  const { state, step } = props;
  const ranking = new Map((step.ranking ?? []).map((entry) => [entry.stepId, entry]));
  return (
    <>
      {(step.failedOver ?? []).map((move) => (
        <p
          class="note"
          key={`${move.from}-${move.at}`}
        >{`moved from ${move.from} to ${move.to}: ${move.reason}`}</p>
      ))}
      {step.candidates && step.candidates.length > 0 && (
        <table class="candidates" aria-label="candidates">
          <thead>
            <tr>
              <th scope="col">candidate</th>
              <th scope="col">agent</th>
              <th scope="col">status</th>
              <th scope="col">score</th>
              <th scope="col">cost</th>
              <th scope="col">change</th>
              <th scope="col">pick</th>
            </tr>
          </thead>
          <tbody>
            {step.candidates.map((id) => {
              const candidate = state.steps[id];
              const entry = ranking.get(id);
              const merge = candidate?.stageDetail?.merge;
              const share =
                entry?.score ?? Number(candidate?.stageDetail?.review?.approvalShare ?? Number.NaN);
              const cost = entry?.costUsd ?? candidate?.usage?.costUsd;
              return (
                <tr key={id}>
                  <td>{String(candidate?.label ?? id)}</td>
                  <td>{candidate?.agent ?? ''}</td>
                  <td>{candidate?.status ?? ''}</td>
                  <td>{Number.isFinite(share) ? share.toFixed(2) : '–'}</td>
                  <td>{cost !== undefined ? `$${cost.toFixed(4)}` : '–'}</td>
                  <td>
                    {merge?.filesChanged
                      ? `${merge.filesChanged} files +${merge.insertions ?? 0} −${merge.deletions ?? 0}`
                      : '–'}
                  </td>
                  <td>
                    {step.picked === id ? 'picked' : (entry?.reason ?? candidate?.error?.message ?? '')}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </>
  );
}
