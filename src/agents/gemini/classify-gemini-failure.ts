/**
 * What a Gemini CLI run's end means for the engine. Measured facts (PROTOCOL-NOTES.md and this adapter's
 * tests): a failed model call exits with the HTTP status truncated to 8 bits (400→144, 401→145, 429→173,
 * 500→244) and says why in the stream's closing `result` line; exit 41 is an authentication setup error,
 * 55 an untrusted folder, 42/52/53 bad input, configuration or a turn limit.
 */

import { failureOfRpcError, type RpcErrorShape, readableMessage } from '../acp/classify-acp-outcome.js';
import type { StepFailure } from '../agent.js';
import type { GeminiResultLine } from './gemini-stream-json.js';

export const authFix =
  'set GEMINI_API_KEY in the environment (add it to agents.<name>.passEnv, or agents.<name>.env, in ai-collab.config.yaml), or choose an auth method in ~/.gemini/settings.json, e.g. {"security":{"auth":{"selectedType":"gemini-api-key"}}} (required when GOOGLE_GEMINI_BASE_URL is set), or run gemini once interactively to log in';

export function trustFix(workspace: string): string {
  return `gemini refuses to work in ${workspace} because you have not trusted that folder (exit 55). ai-collab never trusts a folder on your behalf. Trust it yourself: run \`gemini\` once in ${workspace} and accept the trust prompt, or add "${workspace}": "TRUST_FOLDER" to ~/.gemini/trustedFolders.json; or, to trust every folder this agent works in, set GEMINI_CLI_TRUST_WORKSPACE: "true" under agents.<name>.env in ai-collab.config.yaml`;
}

export interface GeminiExit {
  exitCode: number | null;
  signal: string | null;
  result: GeminiResultLine | undefined;
  stderr: string;
  workspace: string;
  now: number;
}

/** Undefined when the run succeeded. */
export function classifyGeminiExit(exit: GeminiExit): StepFailure | undefined {
  const { exitCode, signal, result } = exit;
  if (exitCode === 0 && result?.status === 'success') return undefined;
  const said = lastWords(exit.stderr);
  const tail = { outputTail: exit.stderr.slice(-2_000) };
  const withCode = exitCode === null ? {} : { exitCode };
  if (signal) {
    return {
      code: 'KILLED_BY_SIGNAL',
      kind: 'transient',
      message: `gemini was killed by ${signal}`,
      signal,
      ...tail,
    };
  }
  if (exitCode === 41) {
    return {
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: `gemini has no usable authentication (exit 41: ${said || 'Invalid auth method selected.'}); ${authFix}`,
      ...withCode,
      ...tail,
    };
  }
  if (exitCode === 55) {
    return {
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message: trustFix(exit.workspace),
      ...withCode,
      ...tail,
    };
  }
  if (result?.status === 'error' || (result && exitCode !== 0)) {
    return refineGeminiFailure(apiFailure(result, exitCode, exit.now), undefined);
  }
  if (exitCode === 42 || exitCode === 52 || exitCode === 53) {
    const what = { 42: 'bad input', 52: 'a configuration error', 53: 'its turn limit' }[exitCode];
    return {
      code: 'AGENT_ERROR',
      kind: 'permanent',
      message: `gemini stopped with ${what} (exit ${exitCode})${said ? `: ${said}` : ''}`,
      ...withCode,
      ...tail,
    };
  }
  return {
    code: result ? 'AGENT_ERROR' : 'PROTOCOL_ERROR',
    kind: 'transient',
    message: `gemini ended (exit code ${exitCode}) without a result${said ? `: ${said}` : ''}`,
    ...withCode,
    ...tail,
  };
}

/** A failed model call from the `result` line: the status from its message, else from the exit code. */
function apiFailure(result: GeminiResultLine | undefined, exitCode: number | null, now: number): StepFailure {
  const raw = String(result?.error?.message ?? 'the model call failed');
  const status = statusIn(raw) ?? statusOfExitCode(exitCode) ?? statusOfText(raw);
  const message = readableMessage(
    raw
      .replace(/^\[API Error: /, '')
      .replace(/\]$/, '')
      .replace(/\]\n/, '\n'),
  );
  if (status !== undefined) {
    const failure = failureOfRpcError({ code: status, message }, 'gemini model call', now);
    return { ...failure, ...(exitCode !== null && { exitCode }) };
  }
  // No status: a broken or unreadable stream (measured: "[API Error: terminated]", bad JSON).
  return {
    code: 'MODEL_ERROR',
    kind: 'transient',
    message: `gemini model call failed: ${message}`.slice(0, 500),
    ...(exitCode !== null && { exitCode }),
  };
}

function statusIn(text: string): number | undefined {
  const match = /"code"\s*:\s*(\d{3})/.exec(text);
  return match?.[1] ? Number(match[1]) : undefined;
}

function statusOfText(text: string): number | undefined {
  if (/rate limit|resource.?exhausted|too many requests/i.test(text)) return 429;
  return undefined;
}

/** Exit codes 144–255 are HTTP 400–511 minus 256 (`process.exit(status)`). */
export function statusOfExitCode(exitCode: number | null): number | undefined {
  if (exitCode === null || exitCode < 144) return undefined;
  return exitCode + 256;
}

/**
 * Gemini-specific readings on top of the generic ones: quota exhaustion is a usage limit (wait for the
 * reset), not a rate limit; "IneligibleTier" means this account can no longer use Gemini CLI at all.
 */
export function refineGeminiFailure(failure: StepFailure, _rpc: RpcErrorShape | undefined): StepFailure {
  const text = failure.message;
  if (/IneligibleTier|migrate to the Antigravity/i.test(text)) {
    return {
      ...failure,
      code: 'AUTH_FAILED',
      kind: 'permanent',
      message: `${text}; this Google account can no longer use Gemini CLI: use an API key (GEMINI_API_KEY) or Vertex AI`,
    };
  }
  if (/exhausted your capacity|quota exceeded|daily limit|limit: 0\b/i.test(text)) {
    // A "retry in Ns" in the text is already the failure's resetAt; without one the engine parks the step.
    return { ...failure, code: 'USAGE_LIMIT', kind: 'usage-limit' };
  }
  return failure;
}

function lastWords(stderr: string): string {
  return stderr
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !/^Warning: 256-color|^Ripgrep is not available/.test(line))
    .slice(-2)
    .join(' | ')
    .slice(0, 400);
}
