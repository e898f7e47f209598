/** A small bar chart of one series over time. */
import { formatDuration } from '../views/format.js';

export function BarChart({ title, values, bucketMs }: { title: string; values: number[]; bucketMs: number }) {
  const max = Math.max(1, ...values);
  const barWidth = 300 / Math.max(values.length, 1);
  return (
    <figure class="chart">
      <figcaption>{`${title} · per ${formatDuration(bucketMs)} · peak ${Math.round(Math.max(0, ...values) * 10) / 10}`}</figcaption>
      <svg viewBox="0 0 300 80" role="img" aria-label={title}>
        {values.map((value, index) => (
          <rect
            class="chart-bar"
            key={index}
            x={index * barWidth + 0.5}
            y={80 - (value / max) * 78}
            width={Math.max(0.5, barWidth - 1)}
            height={(value / max) * 78}
          >
            <title>{String(Math.round(value * 10) / 10)}</title>
          </rect>
        ))}
      </svg>
    </figure>
  );
}
