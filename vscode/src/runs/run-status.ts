/** How statuses look: a codicon and a theme colour per run and step status, and the status bar's summary. */
import type { RunEntry } from './runs-model.js';
import { effectiveStatus } from './runs-model.js';

export interface StatusIcon {
  /** A codicon id (`sync~spin` spins). */
  id: string;
  /** A theme colour id, or undefined for the default foreground. */
  color?: string;
}

const icons: Readonly<Record<string, StatusIcon>> = {
  planning: { id: 'lightbulb' },
  awaiting_approval: { id: 'bell', color: 'notificationsWarningIcon.foreground' },
  pending: { id: 'circle-outline' },
  ready: { id: 'circle-large-outline' },
  running: { id: 'sync~spin', color: 'charts.blue' },
  retrying: { id: 'debug-restart', color: 'charts.yellow' },
  reviewing: { id: 'eye', color: 'charts.purple' },
  merging: { id: 'git-merge', color: 'charts.blue' },
  paused: { id: 'debug-pause', color: 'charts.yellow' },
  interrupted: { id: 'debug-disconnect', color: 'charts.yellow' },
  succeeded: { id: 'pass', color: 'testing.iconPassed' },
  failed: { id: 'error', color: 'testing.iconFailed' },
  blocked: { id: 'circle-slash', color: 'testing.iconFailed' },
  cancelled: { id: 'stop-circle' },
  conflicted: { id: 'warning', color: 'charts.orange' },
};

export function statusIcon(status: string): StatusIcon {
  return icons[status] ?? { id: 'question' };
}

export type StatusSummaryKind = 'approval' | 'running' | 'failed' | 'idle' | 'server-down';

export interface StatusSummary {
  kind: StatusSummaryKind;
  text: string;
  tooltip: string;
}

const active: ReadonlySet<string> = new Set(['running', 'pending', 'planning']);

/** The status bar item: waiting for approval first (a person is needed), then running, then the last outcome. */
export function summarizeRuns(entries: readonly RunEntry[]): StatusSummary {
  const statuses = entries.map((entry) => ({ entry, status: effectiveStatus(entry) }));
  const waiting = statuses.filter(({ status }) => status === 'awaiting_approval');
  if (waiting.length > 0) {
    return {
      kind: 'approval',
      text: `$(bell) AI Collab: ${waiting.length} awaiting approval`,
      tooltip: waiting
        .map(({ entry }) => `${entry.summary.name} (${entry.summary.runId}) waits for approval`)
        .join('\n'),
    };
  }
  const running = statuses.filter(({ status }) => active.has(status));
  if (running.length > 0) {
    return {
      kind: 'running',
      text: `$(sync~spin) AI Collab: ${running.length} running`,
      tooltip: running.map(({ entry }) => `${entry.summary.name} (${entry.summary.runId})`).join('\n'),
    };
  }
  const latest = statuses[0];
  if (latest && latest.status === 'failed') {
    return {
      kind: 'failed',
      text: '$(error) AI Collab: failed',
      tooltip: `The latest run, ${latest.entry.summary.name} (${latest.entry.summary.runId}), failed`,
    };
  }
  return { kind: 'idle', text: '$(check) AI Collab: idle', tooltip: 'No run is active' };
}
