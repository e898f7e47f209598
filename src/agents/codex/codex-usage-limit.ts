/**
 * codex's usage-limit messages (ChatGPT plans, workspace credits) and when they reset. Shapes from the
 * 0.171.0 binary: "You've hit your usage limit. Upgrade to Pro (…), visit … to purchase more credits or try
 * again at 4:05 PM." — the time is local, `4:05 PM` when it is today, else `Nov 28th, 2026 4:05 PM`; or
 * "… Try again later." when codex does not know. Also "You're out of credits", "Your workspace is out of
 * credits" and spend caps ("You hit your spend cap").
 */

const limitPattern =
  /hit your usage limit|usage limit reached|out of credits|spend cap|reached your (?:usage|workspace credit) limit|included usage is exhausted/i;

/** When the engine should try again if codex names no time: an hour, as for Claude's plan limits. */
const unknownResetMs = 60 * 60_000;

const months = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

export function isUsageLimitMessage(text: string): boolean {
  return limitPattern.test(text);
}

/** Epoch ms at which the limit resets: the time the message names, else an hour from `now`. */
export function usageLimitResetAt(text: string, now: number): number {
  return parseResetTime(text, now) ?? now + unknownResetMs;
}

/**
 * codex shows the reset to the minute, rounded down from the exact time; the end of that minute is the
 * earliest moment the limit is certainly reset, so that is what a time of day or date becomes.
 */
export function parseResetTime(text: string, now: number): number | undefined {
  const dated =
    /try again at ([A-Za-z]{3})[a-z]* (\d{1,2})(?:st|nd|rd|th)?,? (\d{4}),? (\d{1,2}):(\d{2})\s*([AP]M)?/i.exec(
      text,
    );
  if (dated) {
    const month = months.indexOf((dated[1] ?? '').toLowerCase());
    if (month < 0) return undefined;
    const date = new Date(
      Number(dated[3]),
      month,
      Number(dated[2]),
      hour24(dated[4], dated[6]),
      Number(dated[5]) + 1,
    );
    return date.getTime();
  }
  const clock = /try again at (\d{1,2}):(\d{2})\s*([AP]M)?/i.exec(text);
  if (clock) {
    const date = new Date(now);
    date.setHours(hour24(clock[1], clock[3]), Number(clock[2]) + 1, 0, 0);
    // A time earlier than now is tomorrow's (a limit that resets past midnight). The shown minute's
    // end, not its start, is checked: a reset later in the current minute is today's.
    if (date.getTime() <= now) date.setDate(date.getDate() + 1);
    return date.getTime();
  }
  const span =
    /try again in ((?:\d+(?:\.\d+)?\s*(?:days?|d|hours?|h|minutes?|mins?|m|seconds?|secs?|s)\b[\s,]*(?:and\s+)?)+)/i.exec(
      text,
    );
  if (span?.[1]) {
    let total = 0;
    for (const part of span[1].matchAll(/(\d+(?:\.\d+)?)\s*([a-z]+)/gi)) {
      total += Number(part[1]) * unitMs((part[2] ?? '').toLowerCase());
    }
    return total > 0 ? now + total : undefined;
  }
  return undefined;
}

function hour24(hour: string | undefined, meridiem: string | undefined): number {
  const value = Number(hour);
  if (!meridiem) return value;
  return (value % 12) + (meridiem.toUpperCase() === 'PM' ? 12 : 0);
}

function unitMs(unit: string): number {
  if (unit.startsWith('d')) return 24 * 60 * 60_000;
  if (unit.startsWith('h')) return 60 * 60_000;
  if (unit.startsWith('m')) return 60_000;
  return 1_000;
}
