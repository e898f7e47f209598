/** Small formatting helpers shared by the views. */
import type { PlanForecast } from '../../../src/engine/budget/forecast.js';

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1_000) return `${Math.round(ms)} ms`;
  const seconds = ms / 1_000;
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds % 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatTime(at: number | null | undefined): string {
  return at ? new Date(at).toLocaleTimeString() : '—';
}

export function formatBytes(bytes: number): string {
  if (bytes < 1_024) return `${bytes} B`;
  if (bytes < 1_048_576) return `${(bytes / 1_024).toFixed(1)} KiB`;
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

/** `$0.042`, `$1.20`. */
export function formatUsd(usd: number): string {
  return `$${usd < 0.1 ? usd.toFixed(3) : usd.toFixed(2)}`;
}

/** `$0.10–$0.40 (median $0.20)`, or that no step has history yet. */
export function forecastText(forecast: PlanForecast): string {
  if (forecast.withoutHistory === forecast.steps.length) return 'no history yet';
  const unknown =
    forecast.withoutHistory > 0 ? `, ${forecast.withoutHistory} step(s) with no history yet` : '';
  return `${usdRange(forecast.usd)} (median ${formatUsd(forecast.usd.median)})${unknown}`;
}

/** `$0.10–$0.40`, or one amount when both ends are the same. */
export function usdRange(range: { low: number; high: number }): string {
  return range.low === range.high ? formatUsd(range.low) : `${formatUsd(range.low)}–${formatUsd(range.high)}`;
}

/** `12.3k` tokens. */
export function formatTokens(count: number): string {
  if (count < 1_000) return String(count);
  if (count < 1_000_000) return `${(count / 1_000).toFixed(count < 10_000 ? 1 : 0)}k`;
  return `${(count / 1_000_000).toFixed(1)}M`;
}

export function StatusBadge({ status }: { status: string }) {
  return <span class={`badge status-${status}`}>{status.replace('_', ' ')}</span>;
}
