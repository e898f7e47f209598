/** The environment of Claude Code processes. */
import { agentEnvironment } from '../cli-environment.js';
import type { EnvironmentPolicy } from '../process/child-environment.js';
import type { ClaudeSpec } from './claude-spec.js';

/** What Claude Code reads: its configuration and its keys. */
export const claudeEnvironmentPolicy: EnvironmentPolicy = {
  names: ['CLAUDE_CONFIG_DIR', 'DISABLE_AUTOUPDATER', 'DISABLE_TELEMETRY'],
  prefixes: ['ANTHROPIC_', 'CLAUDE_CODE_'],
};

/**
 * Claude Code retries a failing API call 10 times over about three minutes by default. The engine retries
 * steps with its own backoff and honours rate limits across every agent, so the CLI's own retries are
 * capped at 2 unless the agent's configuration sets CLAUDE_CODE_MAX_RETRIES.
 */
export function claudeEnvironment(
  spec: Pick<ClaudeSpec, 'env' | 'passEnv'>,
  source: Readonly<Record<string, string | undefined>>,
  /** The step's `env` (with the attempt's port block). */
  stepEnv: Readonly<Record<string, string>> = {},
): Record<string, string> {
  return agentEnvironment(spec, claudeEnvironmentPolicy, source, {
    CLAUDE_CODE_MAX_RETRIES: spec.env.CLAUDE_CODE_MAX_RETRIES ?? '2',
    ...stepEnv,
  });
}
