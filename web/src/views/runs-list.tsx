/** Every run, newest first, with live status and progress. */
import type { RunSummary } from '../../../src/server/stream/stream-protocol.js';
import { runTookMs } from '../model/run-took.js';
import { formatDuration, formatTime, StatusBadge } from './format.js';

export function RunsList({ runs }: { runs: RunSummary[] }) {
  if (runs.length === 0) return <p class="muted">No runs yet. Start one with `ai-collab run plan.yaml`.</p>;
  return (
    <table class="runs" data-testid="runs">
      <thead>
        <tr>
          <th>run</th>
          <th>status</th>
          <th>progress</th>
          <th>started</th>
          <th>took</th>
        </tr>
      </thead>
      <tbody>
        {runs.map((run) => {
          const done = run.counts ? (run.counts.succeeded ?? 0) : undefined;
          return (
            <tr key={run.runId}>
              <td>
                <a href={`#/runs/${encodeURIComponent(run.runId)}`}>{run.name}</a>
                <div class="muted small">{run.runId}</div>
              </td>
              <td>
                <StatusBadge status={run.status} />{' '}
                {run.landing && <span class={`badge landing-${run.landing}`}>{run.landing}</span>}
              </td>
              <td>{done === undefined ? `${run.stepCount} steps` : `${done} / ${run.stepCount}`}</td>
              <td>{formatTime(run.createdAt)}</td>
              <td>{formatDuration(runTookMs(run))}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
