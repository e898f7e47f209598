/**
 * Decides what a failed codex turn, or a codex process that died before its turn ended, means for the
 * engine: transient (retry), permanent (stop) or a usage limit (wait for its reset). codex states model
 * errors as text (`turn.failed`, measured against 0.171.0) — "exceeded retry limit, last status: 429 Too
 * Many Requests", "unexpected status 401 Unauthorized: …, url: …", "We’re currently experiencing high
 * demand, …" for any 500, the raw error body for a 400 — and app-server adds a structured `codexErrorInfo`
 * with the HTTP status; both are read here.
 */

import { isRecord } from '../../support/json-record.js';
import type { StepFailure } from '../agent.js';
import type { CodexTurnError } from './codex-turn.js';
import { isUsageLimitMessage, usageLimitResetAt } from './codex-usage-limit.js';

const maxMessage = 500;

export function classifyCodexFailure(error: CodexTurnError, now: number): StepFailure {
  const text = [error.message, error.details].filter(Boolean).join(' — ');
  const status = error.httpStatus ?? statusIn(text) ?? statusOfInfo(error.errorInfo);
  const base = { message: readable(text), ...(status !== undefined && { apiStatus: status }) };
  const info = error.errorInfo;
  if (info === 'usageLimitExceeded' || isUsageLimitMessage(text)) {
    return { ...base, code: 'USAGE_LIMIT', kind: 'usage-limit', resetAt: usageLimitResetAt(text, now) };
  }
  const missingKey = /Missing environment variable: `?([A-Za-z_][A-Za-z0-9_]*)`?/.exec(text);
  if (missingKey) {
    return {
      ...base,
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: `${base.message}; set ${missingKey[1]} for the agent (the variable its apiKeyEnv or model provider names)`,
    };
  }
  if (info === 'unauthorized' || status === 401 || status === 403) {
    return { ...base, code: 'AUTH_FAILED', kind: 'permanent' };
  }
  if (info === 'rateLimitExceeded' || status === 429)
    return { ...base, code: 'RATE_LIMITED', kind: 'transient' };
  if (
    info === 'serverOverloaded' ||
    info === 'internalServerError' ||
    (status !== undefined && (status >= 500 || status === 408 || status === 409)) ||
    /high demand|overloaded/i.test(text)
  ) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  if (info === 'contextWindowExceeded' || /context window|context_length_exceeded/i.test(text)) {
    return { ...base, code: 'AGENT_ERROR', kind: 'permanent' };
  }
  if (info === 'modelNotFound' || info === 'badRequest' || (status !== undefined && status >= 400)) {
    return { ...base, code: 'MODEL_ERROR', kind: 'permanent' };
  }
  if (/invalid_request_error/.test(text)) return { ...base, code: 'MODEL_ERROR', kind: 'permanent' };
  if (
    info?.startsWith('response') ||
    info === 'httpConnectionFailed' ||
    /stream disconnected|transport error|network|connection|timed? ?out|reconnecting|routing discovery|dns|lookup address/i.test(
      text,
    )
  ) {
    return { ...base, code: 'MODEL_ERROR', kind: 'transient' };
  }
  if (info === 'sandboxError') return { ...base, code: 'AGENT_ERROR', kind: 'permanent' };
  return { ...base, code: 'AGENT_ERROR', kind: 'transient' };
}

/**
 * A codex process that ended before its turn did: the reason is on stderr (configuration and start-up
 * problems are printed there, with exit code 1, before any JSON).
 */
export function classifyCodexExit(options: {
  exitCode: number | null;
  signal: string | null;
  stderrTail: string;
  lastNotice?: string;
}): StepFailure {
  const stderr = options.stderrTail.trim();
  const said = lastMeaningfulLine(stderr);
  const outputTail = stderr.slice(-2_000);
  const exit = options.signal ? `was killed by ${options.signal}` : `exited with code ${options.exitCode}`;
  const base = {
    ...(options.exitCode !== null && { exitCode: options.exitCode }),
    ...(options.signal !== null && { signal: options.signal }),
    ...(outputTail !== '' && { outputTail }),
  };
  const home = /CODEX_HOME points to "([^"]+)", but that path does not exist/.exec(stderr);
  if (home) {
    return {
      ...base,
      code: 'AGENT_UNAVAILABLE',
      kind: 'permanent',
      message: `CODEX_HOME points to "${home[1]}", which does not exist; create it and log in there (codex login), or unset CODEX_HOME`,
    };
  }
  if (threadNotFound(stderr)) {
    return {
      ...base,
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message: `codex could not resume the thread: ${readable(said ?? stderr)}`,
    };
  }
  if (/Not inside a trusted directory/.test(stderr)) {
    return {
      ...base,
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message:
        'codex refused the workspace: "Not inside a trusted directory"; keep --skip-git-repo-check (the adapter passes it) or mark the directory trusted in codex',
    };
  }
  const config = /Error loading config(?:\.toml)?:[^\n]*(?:\n[^\n]*)?/.exec(stderr);
  if (config) {
    return {
      ...base,
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message: `codex could not load its configuration: ${readable(config[0])}; fix config.toml or the agent's args`,
    };
  }
  if (/error: (?:unexpected argument|invalid value|unrecognized)|Usage: codex/i.test(stderr)) {
    return {
      ...base,
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message: `codex rejected its command line: ${readable(said ?? stderr)}; check the agent's args`,
    };
  }
  const notice = options.lastNotice ? ` (last: ${readable(options.lastNotice)})` : '';
  if (options.exitCode === 0) {
    return {
      ...base,
      code: 'PROTOCOL_ERROR',
      kind: 'transient',
      message: `codex exited with code 0 without ending its turn${notice}`,
    };
  }
  return {
    ...base,
    code: options.signal ? 'KILLED_BY_SIGNAL' : 'AGENT_CRASHED',
    kind: 'transient',
    message: `codex ${exit} before its turn ended${said ? `: ${readable(said)}` : ''}${notice}`,
  };
}

/** `codex exec resume <id>` of a thread whose session file is gone (measured: exit 1, nothing on stdout). */
export function threadNotFound(text: string): boolean {
  return /no rollout found for thread id/i.test(text);
}

/** `unexpected status 401 Unauthorized: …`, `exceeded retry limit, last status: 429 …`. */
function statusIn(text: string): number | undefined {
  const match = /(?:unexpected status|last status:?)\s*(\d{3})\b/i.exec(text);
  return match ? Number(match[1]) : undefined;
}

function statusOfInfo(info: string | undefined): number | undefined {
  if (info === 'unauthorized') return 401;
  if (info === 'internalServerError') return 500;
  if (info === 'badRequest') return 400;
  return undefined;
}

/** The message of a raw JSON error body (`{"error":{"message":…}}`, which codex passes on for a 400). */
function readable(text: string): string {
  const trimmed = text.trim();
  if (trimmed.startsWith('{')) {
    try {
      const body: unknown = JSON.parse(trimmed);
      const error = isRecord(body) && isRecord(body.error) ? body.error : undefined;
      if (error && typeof error.message === 'string') {
        const type = typeof error.type === 'string' ? ` (${error.type})` : '';
        return `${error.message}${type}`.slice(0, maxMessage);
      }
    } catch {
      // Not JSON after all: the text itself is the message.
    }
  }
  return trimmed.slice(0, maxMessage);
}

// codex's tracing colours its stderr log lines (ESC [ … m).
const ansiColour = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

/** Log lines (timestamps, ANSI colours) are noise; the last plain line usually says what went wrong. */
function lastMeaningfulLine(stderr: string): string | undefined {
  const lines = stderr
    .replace(ansiColour, '')
    .split('\n')
    .map((line) => line.trim())
    .filter(
      (line) =>
        line !== '' &&
        !/^WARNING: proceeding/.test(line) &&
        !/^Reading (?:prompt|additional input)/.test(line),
    );
  return lines.pop();
}
