/**
 * A table of plots drawn as `TimePlot`s: each plot's title and unit, and for each of its lines how it looks
 * and where its values come from. A view states what it plots as data; this draws it.
 */
import { type PlotSeries, TimePlot } from './time-plot.js';

/** How a line looks; `Source` says where its values come from (a metric, a series of the run…). */
export type PlotLine<Source> = Pick<PlotSeries, 'label' | 'color' | 'stepped'> & Source;

export interface PlotDefinition<Source> {
  title: string;
  unit: string;
  lines: ReadonlyArray<PlotLine<Source>>;
}

export interface TimePlotsProps<Source> {
  plots: ReadonlyArray<PlotDefinition<Source>>;
  /** Epoch seconds, shared by every plot. */
  times: readonly number[];
  /** A line's values, one per time; undefined leaves the line out (nothing to show for it now). */
  values(line: Source): ReadonlyArray<number | null> | undefined;
}

export function TimePlots<Source>({ plots, times, values }: TimePlotsProps<Source>) {
  return (
    <>
      {plots.map((plot) => (
        <TimePlot
          key={plot.title}
          title={plot.title}
          unit={plot.unit}
          times={times}
          series={plot.lines.flatMap((line) => {
            const lineValues = values(line);
            if (!lineValues) return [];
            return [
              {
                label: line.label,
                values: lineValues,
                color: line.color,
                ...(line.stepped && { stepped: true }),
              },
            ];
          })}
        />
      ))}
    </>
  );
}
