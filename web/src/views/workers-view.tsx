/**
 * Distributed mode's workers as the server reads them from Redis: each worker's name, host, agents, the
 * attempts it runs and its last heartbeat, and the depth of each agent's queue. Refreshed at the workers'
 * heartbeat pace while the view is open; without a Redis the server says it is not in distributed mode.
 */
import { useEffect, useState } from 'preact/hooks';
import type { ClusterSnapshot } from '../../../src/distributed/cluster-view.js';
import type { ApiClient } from '../model/api-client.js';
import { formatDuration } from './format.js';

type WorkersAnswer = { distributed: false } | ({ distributed: true } & ClusterSnapshot);

/** Workers write a heartbeat every 3 s: reading faster shows nothing new. */
const refreshMs = 3_000;

export function WorkersView({ api }: { api: ApiClient }) {
  const [answer, setAnswer] = useState<WorkersAnswer>();
  const [problem, setProblem] = useState<string>();
  useEffect(() => {
    let stopped = false;
    const read = () =>
      api
        .get<WorkersAnswer>('/api/workers')
        .then((next) => {
          if (stopped) return;
          setAnswer(next);
          setProblem(undefined);
        })
        .catch(
          (error: unknown) => !stopped && setProblem(error instanceof Error ? error.message : String(error)),
        );
    void read();
    const timer = setInterval(() => void read(), refreshMs);
    return () => {
      stopped = true;
      clearInterval(timer);
    };
  }, [api]);
  return (
    <section class="workers-view" aria-labelledby="workers-title">
      <h1 id="workers-title">Workers</h1>
      {problem && <p class="error">{problem}</p>}
      {!answer && !problem && <p class="muted">Loading…</p>}
      {answer && !answer.distributed && (
        <p class="muted" data-testid="not-distributed">
          Not in distributed mode: this server runs steps itself. Start it with <code>--redis URL</code> (and
          workers with <code>ai-collab worker --redis URL</code>) to see workers here.
        </p>
      )}
      {answer?.distributed && <Cluster cluster={answer} />}
    </section>
  );
}

function Cluster({ cluster }: { cluster: ClusterSnapshot }) {
  const now = Date.now();
  return (
    <>
      <p class="muted">{`Redis ${cluster.redis}`}</p>
      {cluster.workers.length === 0 ? (
        <p class="muted">No worker has registered yet; start one with ai-collab worker --redis URL.</p>
      ) : (
        <table class="workers" data-testid="workers">
          <caption class="sr-only">Workers registered on this Redis</caption>
          <thead>
            <tr>
              <th scope="col">worker</th>
              <th scope="col">host</th>
              <th scope="col">state</th>
              <th scope="col">agents</th>
              <th scope="col">running</th>
              <th scope="col">last heartbeat</th>
            </tr>
          </thead>
          <tbody>
            {cluster.workers.map((worker) => (
              <tr key={worker.id} class={worker.alive ? '' : 'gone'}>
                <th scope="row">{worker.name}</th>
                <td>{worker.host}</td>
                <td>{worker.alive ? 'alive' : 'gone'}</td>
                <td>
                  {worker.agents.join(', ')}
                  {worker.unavailable.length > 0 && (
                    // The reasons are long (doctor's full advice): the names in a line, the reasons when opened.
                    <details class="unavailable">
                      <summary class="muted">{`cannot run ${worker.unavailable.map((entry) => entry.agent).join(', ')}`}</summary>
                      <ul>
                        {worker.unavailable.map((entry) => (
                          <li key={entry.agent}>{`${entry.agent}: ${entry.reason}`}</li>
                        ))}
                      </ul>
                    </details>
                  )}
                </td>
                <td>
                  {`${worker.running.length} of ${worker.concurrency}`}
                  {worker.running.length > 0 && (
                    <ul class="running-attempts">
                      {worker.running.map((attempt) => (
                        <li key={attempt.attemptId}>
                          <a href={`#/runs/${encodeURIComponent(attempt.runId)}`}>{attempt.stepId}</a>
                          {` · attempt ${attempt.attempt}`}
                        </li>
                      ))}
                    </ul>
                  )}
                </td>
                <td>{`${formatDuration(Math.max(0, now - worker.heartbeatAt))} ago`}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <h2>Queues</h2>
      {cluster.queues.length === 0 ? (
        <p class="muted">No step has been queued for a worker by this server yet.</p>
      ) : (
        <table class="queues" data-testid="queues">
          <thead>
            <tr>
              <th scope="col">agent</th>
              <th scope="col">waiting for a worker</th>
              <th scope="col">running</th>
            </tr>
          </thead>
          <tbody>
            {cluster.queues.map((queue) => (
              <tr key={queue.agent}>
                <th scope="row">{queue.agent}</th>
                <td>{queue.waiting}</td>
                <td>{queue.active}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
