/** What the supervisor does and when; every limit has a default here and only here. */
import type { BackoffSettings } from './restart-policy.js';

export interface SupervisorOptions {
  /** The workspace folder: the server's working directory. */
  workspace: string;
  /** `<workspace>/.ai-collab`, where the server writes `server.json`. */
  stateDir: string;
  /** The server command without `serve` (e.g. `npx ai-collab`). */
  command: string;
  args: readonly string[];
  /** Environment of the spawned server (the extension's, plus the config overlay and API keys). */
  env: Readonly<Record<string, string | undefined>>;
  healthIntervalMs: number;
  healthTimeoutMs: number;
  /** Consecutive failed health checks before the server is restarted. */
  maxHealthFailures: number;
  /** From spawn to the `listening on` line (npx may install the CLI first). */
  startTimeoutMs: number;
  backoff: BackoffSettings;
  /** Crashes within `crashWindowMs` that stop the restarts. */
  maxCrashes: number;
  crashWindowMs: number;
  /** A server up this long has recovered: the next crash starts the backoff from the beginning again. */
  stableAfterMs: number;
  /** Restart when the server's RSS stays above this for `memorySamples` checks in a row. */
  maxRssBytes: number;
  memorySamples: number;
  /** Between SIGTERM and SIGKILL on stop. */
  stopGraceMs: number;
}

export type SupervisorSettings = Omit<
  SupervisorOptions,
  'workspace' | 'stateDir' | 'command' | 'args' | 'env'
>;

export const defaultSupervisorSettings: SupervisorSettings = {
  healthIntervalMs: 10_000,
  healthTimeoutMs: 3_000,
  maxHealthFailures: 3,
  startTimeoutMs: 60_000,
  backoff: { initialMs: 500, maxMs: 30_000 },
  maxCrashes: 5,
  crashWindowMs: 120_000,
  stableAfterMs: 60_000,
  maxRssBytes: 2048 * 1024 * 1024,
  memorySamples: 3,
  // VS Code gives deactivate about 5 s; the server gets most of it to stop its runs gracefully.
  stopGraceMs: 3_000,
};
