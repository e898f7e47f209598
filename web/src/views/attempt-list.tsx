/** A step's attempts as a table: outcome, start, how long each took, the workers that ran it, and why it failed. */
import type { WorkerPlacement } from '../../../src/engine/events.js';
import type { AttemptRecord } from '../../../src/server/stream/step-attempts.js';
import { formatDuration, formatTime, StatusBadge } from './format.js';

export function AttemptList({ attempts }: { attempts: AttemptRecord[] }) {
  if (attempts.length === 0) return <p class="muted">No attempts yet.</p>;
  return (
    <table class="attempts">
      <thead>
        <tr>
          <th>#</th>
          <th>outcome</th>
          <th>started</th>
          <th>took</th>
          <th>worker</th>
          <th>detail</th>
        </tr>
      </thead>
      <tbody>
        {attempts.map((attempt) => (
          <tr key={attempt.attempt}>
            <td>{attempt.attempt}</td>
            <td>
              <StatusBadge status={attempt.outcome} />
            </td>
            <td>{formatTime(attempt.startedAt)}</td>
            <td>{formatDuration(attempt.durationMs)}</td>
            <td>{attempt.workers.map(workerText).join(', then ') || 'here'}</td>
            <td>
              {attempt.error ? `${attempt.error.code}: ${attempt.error.message}` : (attempt.output ?? '')}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function workerText(placement: WorkerPlacement): string {
  return `${placement.worker} on ${placement.host}`;
}
