/** Ticks for a time axis: a round step that gives about one label per 110 pixels, labelled from the run's start. */

const steps = [
  100, 250, 500, 1_000, 2_000, 5_000, 10_000, 15_000, 30_000, 60_000, 120_000, 300_000, 600_000, 900_000,
  1_800_000, 3_600_000, 7_200_000, 21_600_000, 43_200_000, 86_400_000,
];

export interface Tick {
  at: number;
  label: string;
}

export function timeTicks(origin: number, from: number, to: number, width: number): Tick[] {
  const span = Math.max(1, to - from);
  const wanted = Math.max(2, Math.floor(width / 110));
  const step = steps.find((candidate) => span / candidate <= wanted) ?? steps[steps.length - 1] ?? 86_400_000;
  const ticks: Tick[] = [];
  const first = origin + Math.ceil((from - origin) / step) * step;
  for (let at = first; at <= to && ticks.length < 200; at += step)
    ticks.push({ at, label: offsetLabel(at - origin, step) });
  return ticks;
}

/** `0:30`, `1:05:00`, or `1.25 s` when the steps are below a second. */
export function offsetLabel(ms: number, step: number): string {
  const sign = ms < 0 ? '−' : '';
  const value = Math.abs(ms);
  if (value === 0) return '0';
  if (step < 1_000) return `${sign}${(value / 1_000).toFixed(step < 250 ? 1 : 2).replace(/\.?0+$/, '')} s`;
  const seconds = Math.round(value / 1_000);
  const h = Math.floor(seconds / 3_600);
  const m = Math.floor((seconds % 3_600) / 60);
  const s = seconds % 60;
  const pad = (n: number) => String(n).padStart(2, '0');
  return h > 0 ? `${sign}${h}:${pad(m)}:${pad(s)}` : `${sign}${m}:${pad(s)}`;
}
