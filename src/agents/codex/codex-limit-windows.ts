/**
 * codex's usage windows, from app-server's `account/rateLimits/updated` (`rateLimits.primary` and
 * `.secondary`: `usedPercent`, `windowDurationMins`, `resetsAt` in epoch seconds; shapes from the
 * 0.171.0 schema, `codex app-server generate-ts`). A usage limit names the window that is used up.
 */
import { z } from 'zod';

export interface CodexLimitWindow {
  /** `five_hour`, `weekly`, or `<minutes>m` for another length. */
  window: string;
  usedPercent: number;
  /** Epoch ms, when codex says. */
  resetsAt?: number;
}

const windowSchema = z.object({
  usedPercent: z.number(),
  windowDurationMins: z.number().nullish(),
  resetsAt: z.number().nullish(),
});
const snapshotSchema = z.object({
  rateLimits: z.object({ primary: windowSchema.nullish(), secondary: windowSchema.nullish() }),
});

/** The windows a notification reports (none when it is not the shape above). */
export function readLimitWindows(params: unknown): CodexLimitWindow[] {
  const parsed = snapshotSchema.safeParse(params);
  if (!parsed.success) return [];
  const { primary, secondary } = parsed.data.rateLimits;
  return [primary, secondary].flatMap((entry) =>
    entry
      ? [
          {
            window: windowName(entry.windowDurationMins ?? undefined),
            usedPercent: entry.usedPercent,
            ...(typeof entry.resetsAt === 'number' && { resetsAt: entry.resetsAt * 1_000 }),
          },
        ]
      : [],
  );
}

/** Rolling updates are sparse: a window reported again replaces the one before, others stay. */
export function mergeLimitWindows(
  before: readonly CodexLimitWindow[] | undefined,
  update: readonly CodexLimitWindow[],
): CodexLimitWindow[] {
  const merged = new Map((before ?? []).map((entry) => [entry.window, entry]));
  for (const entry of update) merged.set(entry.window, entry);
  return [...merged.values()];
}

/** The window a usage limit hit: the fullest one (the later reset on a tie), if codex reported any. */
export function exhaustedWindow(
  windows: readonly CodexLimitWindow[] | undefined,
): CodexLimitWindow | undefined {
  return [...(windows ?? [])].sort(
    (left, right) => right.usedPercent - left.usedPercent || (right.resetsAt ?? 0) - (left.resetsAt ?? 0),
  )[0];
}

function windowName(minutes: number | undefined): string {
  if (minutes === 300) return 'five_hour';
  if (minutes === 7 * 24 * 60) return 'weekly';
  return minutes === undefined ? 'unknown' : `${minutes}m`;
}
