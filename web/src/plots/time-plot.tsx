/**
 * A labelled chart of series over time, drawn by uPlot (canvas, ~50 KB, no dependencies): a title, a y
 * axis with its unit, a time axis, a legend with the values under the cursor. Colours come from the
 * page's theme, so the chart follows light and dark mode. Screen readers get the latest values.
 */
import 'uplot/dist/uPlot.min.css';
import './plots.css';
import { useEffect, useRef } from 'preact/hooks';
import type uPlot from 'uplot';

let library: Promise<typeof uPlot> | undefined;
/** uPlot is fetched the first time a chart is shown, so the graph view's first render does not wait for it. */
function loadPlotLibrary(): Promise<typeof uPlot> {
  library ??= import('uplot').then((module) => module.default);
  return library;
}

export interface PlotSeries {
  label: string;
  values: ReadonlyArray<number | null>;
  /** A CSS custom property of the theme, e.g. `--chart-1`. */
  color: string;
  /** Draws steps (counts that jump) rather than lines. */
  stepped?: boolean;
}

export interface TimePlotProps {
  title: string;
  /** The y axis's unit, e.g. `steps`, `seconds`. */
  unit: string;
  /** Epoch seconds. */
  times: readonly number[];
  series: readonly PlotSeries[];
  height?: number;
}

export function TimePlot({ title, unit, times, series, height = 180 }: TimePlotProps) {
  const container = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | undefined>(undefined);
  const shape = series.map((entry) => `${entry.label}:${entry.color}:${entry.stepped ? 1 : 0}`).join('|');
  // One sample draws no line and gives uPlot no span: it is shown as a dot at the end of half a minute.
  const lone = times.length === 1;
  const data: uPlot.AlignedData = lone
    ? [[(times[0] ?? 0) - 30, times[0] ?? 0], ...series.map((entry) => [null, entry.values[0] ?? null])]
    : [[...times], ...series.map((entry) => [...entry.values])];

  useEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    let cancelled = false;
    let cleanup = () => {};
    void loadPlotLibrary().then((UPlot) => {
      if (cancelled) return;
      cleanup = draw(UPlot, element);
    });
    return () => {
      cancelled = true;
      cleanup();
    };
  }, [shape, unit, height]);

  function draw(UPlot: typeof uPlot, element: HTMLDivElement): () => void {
    const theme = getComputedStyle(element);
    const color = (name: string) => theme.getPropertyValue(name).trim() || '#888';
    const axis = {
      stroke: color('--muted'),
      grid: { stroke: color('--grid'), width: 1 },
      ticks: { stroke: color('--grid'), width: 1 },
      font: '12px system-ui, sans-serif',
      labelFont: '12px system-ui, sans-serif',
    };
    const created = new UPlot(
      {
        width: Math.max(200, element.clientWidth),
        height,
        scales: {
          x: { time: true },
          // Counts and seconds are never negative; a flat zero still shows 0 to 1.
          y: { range: (_plot, _min, max) => [0, Math.max(1, max * 1.1)] },
        },
        axes: [
          { ...axis, label: 'time' },
          { ...axis, label: unit, size: 56 },
        ],
        series: [
          {},
          ...series.map((entry) => ({
            label: entry.label,
            stroke: color(entry.color),
            width: 2,
            fill: `${color(entry.color)}22`,
            ...(entry.stepped && { paths: UPlot.paths.stepped?.({ align: 1 }) }),
            // Dots while there are few samples (a line needs two), none once the line says it all.
            points: { show: (plot: uPlot) => (plot.data[0]?.length ?? 0) < 30, size: 6 },
          })),
        ],
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
      },
      data,
      element,
    );
    plot.current = created;
    const observer = new ResizeObserver(() =>
      created.setSize({ width: Math.max(200, element.clientWidth), height }),
    );
    observer.observe(element);
    return () => {
      observer.disconnect();
      created.destroy();
      plot.current = undefined;
    };
  }

  useEffect(() => {
    plot.current?.setData(data);
  });

  const latest = series
    .map((entry) => `${entry.label} ${entry.values[entry.values.length - 1] ?? 0} ${unit}`)
    .join(', ');
  return (
    <figure class="plot">
      <figcaption>{title}</figcaption>
      <div
        ref={container}
        role="img"
        aria-label={`${title}: ${times.length === 0 ? 'no data yet' : `now ${latest}`}`}
      />
    </figure>
  );
}
