/**
 * A Gantt chart of step attempts per slot, and throughput, retries and rate-limit waits over time. The
 * run's events are read once from the API, then kept current from the stream.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';
import { formatDuration } from '../views/format.js';
import { BarChart } from './bar-chart.js';
import { TimelineModel } from './timeline-model.js';

const laneHeight = 14;
const width = 1_000;

export function TimelineView({
  api,
  model,
  onSelect,
}: {
  api: ApiClient;
  model: RunModel;
  onSelect(id: string): void;
}) {
  const timeline = useMemo(() => new TimelineModel(), [model.runId]);
  const [loaded, setLoaded] = useState(false);
  const [, setTick] = useState(0);
  useEffect(() => {
    let cancelled = false;
    const buffered: WireEvent[] = [];
    let ready = false;
    const off = model.onEvents((events) => {
      if (ready) {
        timeline.add(events);
        setTick((tick) => tick + 1);
      } else buffered.push(...events);
    });
    (async () => {
      let after = 0;
      for (;;) {
        const page = await api.get<{ events: WireEvent[]; more: boolean; lastSeq: number }>(
          `/api/runs/${encodeURIComponent(model.runId)}/events?after=${after}&limit=5000`,
        );
        if (cancelled) return;
        timeline.add(page.events);
        after = page.events[page.events.length - 1]?.seq ?? after;
        if (!page.more) break;
      }
      timeline.add(buffered.filter((event) => event.seq > after));
      ready = true;
      setLoaded(true);
    })().catch(() => setLoaded(true));
    return () => {
      cancelled = true;
      off();
    };
  }, [model.runId]);

  const now = Date.now();
  const { placed, lanes, start, end } = timeline.attempts(now);
  const series = timeline.series(start, end);
  const scale = (at: number) => ((at - start) / (end - start)) * width;
  if (!loaded) return <p class="muted">Loading the run's history…</p>;
  return (
    <div class="timeline" data-testid="timeline">
      <p class="muted">{`${placed.length} attempts on ${lanes} slots over ${formatDuration(end - start)}`}</p>
      <svg
        viewBox={`0 0 ${width} ${Math.max(1, lanes) * laneHeight + 4}`}
        class="gantt"
        role="img"
        aria-label="attempts per slot"
      >
        {placed.map((attempt) => (
          // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the graph's search reaches every step.
          <rect
            key={`${attempt.stepId}#${attempt.attempt}`}
            class={`bar outcome-${attempt.outcome}`}
            x={scale(attempt.startedAt)}
            y={attempt.lane * laneHeight + 2}
            width={Math.max(1, scale(attempt.finishedAt ?? now) - scale(attempt.startedAt))}
            height={laneHeight - 3}
            role="button"
            tabIndex={-1}
            onClick={() => onSelect(attempt.stepId)}
            onKeyDown={(event) => event.key === 'Enter' && onSelect(attempt.stepId)}
          >
            <title>{`${attempt.stepId} attempt ${attempt.attempt}: ${attempt.outcome}, ${formatDuration((attempt.finishedAt ?? now) - attempt.startedAt)}`}</title>
          </rect>
        ))}
      </svg>
      <div class="charts">
        <BarChart title="Steps finished" values={series.finished} bucketMs={series.bucketMs} />
        <BarChart title="Retries" values={series.retries} bucketMs={series.bucketMs} />
        <BarChart title="Rate-limit waits (s)" values={series.rateLimitWaits} bucketMs={series.bucketMs} />
      </div>
    </div>
  );
}
