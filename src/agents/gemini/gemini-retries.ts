/**
 * Gemini CLI's own retries of a failed model call, and how ai-collab caps them.
 *
 * By default the CLI makes 10 attempts, 5 s × 2ⁿ apart (cap 30 s): about 3.5 minutes before a persistent
 * 500 or 429 reaches us, while the engine has its own retries and rate limiting. The only knob is
 * `general.maxAttempts` in settings.json, and ai-collab does not edit the user's settings. So the cap is
 * applied from outside: the CLI announces each retry ("Attempt 2 failed with status 500. Retrying with
 * backoff...", on stderr in prompt mode, in its debug log in ACP mode), and at the cap the step stops the
 * call itself. When the user's settings set `general.maxAttempts`, that choice stands and no cap applies.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { isRecord } from '../../support/json-record.js';
import type { AcpSideNotice } from '../acp/acp-worker.js';
import { readableMessage } from '../acp/classify-acp-outcome.js';

/** Attempts per model call unless the user's settings say otherwise: one quick retry, then the engine's. */
export const defaultMaxAttempts = 2;

const retryPatterns: Array<{ pattern: RegExp; status?: (match: RegExpExecArray) => number | undefined }> = [
  {
    pattern: /Attempt (\d+) failed with status (\d+)\. Retrying with backoff\.\.\.\s*(.*)$/,
    status: (match) => Number(match[2]),
  },
  {
    pattern:
      /Attempt (\d+) failed with 429 error \(no Retry-After header\)\. Retrying with backoff\.\.\.\s*(.*)$/,
    status: () => 429,
  },
  { pattern: /Attempt (\d+) failed with 5xx error\. Retrying with backoff\.\.\.\s*(.*)$/, status: () => 500 },
  { pattern: /Attempt (\d+) failed: (.*)\. Retrying after (\d+)ms\.\.\.\s*$/, status: () => 429 },
  { pattern: /Attempt (\d+) failed\. Retrying with backoff\.\.\.\s*(.*)$/ },
];

/** A retry announcement in one line of output, or undefined (the final "Max attempts reached" is not one). */
export function parseRetryLine(line: string): AcpSideNotice | undefined {
  for (const { pattern, status } of retryPatterns) {
    const match = pattern.exec(line);
    if (!match?.[1]) continue;
    const code = status?.(match);
    const after = /Retrying after (\d+)ms/.exec(line)?.[1];
    const rest = (after === undefined && match.length > 3 ? match[3] : match[2]) ?? '';
    const message = readableMessage(rest.replace(/^_?\w*Error:\s*/, '')) || 'model call failed';
    return {
      kind: 'retry',
      attempt: Number(match[1]),
      ...(code !== undefined && { status: code }),
      message,
      ...(after !== undefined && { delayMs: Number(after) }),
    };
  }
  return undefined;
}

/** Splits streamed text into lines and reports the retry announcements among them. */
export class RetryLineReader {
  readonly #report: (notice: AcpSideNotice) => void;
  #partial = '';

  constructor(report: (notice: AcpSideNotice) => void) {
    this.#report = report;
  }

  push(text: string): void {
    const lines = (this.#partial + text).split('\n');
    this.#partial = (lines.pop() ?? '').slice(-16_384);
    for (const line of lines) {
      const notice = parseRetryLine(line);
      if (notice) this.#report(notice);
    }
  }
}

/**
 * The attempt at which ai-collab stops a failing model call: `defaultMaxAttempts`, or undefined when the
 * user's own settings (user or workspace settings.json) choose `general.maxAttempts` (read, never written).
 */
export function retryCapFor(
  environment: Readonly<Record<string, string>>,
  workspace: string,
): number | undefined {
  const home = environment.GEMINI_CLI_HOME ?? environment.HOME;
  const files = [join(workspace, '.gemini', 'settings.json')];
  if (home) files.push(join(home, '.gemini', 'settings.json'));
  for (const file of files) {
    if (settingsChooseMaxAttempts(file)) return undefined;
  }
  return defaultMaxAttempts;
}

function settingsChooseMaxAttempts(file: string): boolean {
  if (!existsSync(file)) return false;
  try {
    const parsed: unknown = JSON.parse(stripJsonComments(readFileSync(file, 'utf8')));
    return isRecord(parsed) && isRecord(parsed.general) && 'maxAttempts' in parsed.general;
  } catch {
    return false;
  }
}

/** settings.json may carry line and block comments (the CLI strips them); strings are left alone. */
export function stripJsonComments(text: string): string {
  let out = '';
  let inString = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index];
    const next = text[index + 1];
    if (inString) {
      out += char;
      if (char === '\\') {
        out += next ?? '';
        index++;
      } else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      out += char;
    } else if (char === '/' && next === '/') {
      while (index < text.length && text[index] !== '\n') index++;
      out += '\n';
    } else if (char === '/' && next === '*') {
      index += 2;
      while (index < text.length && !(text[index] === '*' && text[index + 1] === '/')) index++;
      index++;
    } else out += char;
  }
  return out;
}
