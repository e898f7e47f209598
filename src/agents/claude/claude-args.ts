/** Command lines for Claude Code's two headless modes, from an agent's configuration. */
import type { ClaudeSpec } from './claude-spec.js';

/** Headless steps that change code may edit files without asking; anything broader must be configured. */
export const defaultPermissionMode = 'acceptEdits';

function commonArgs(spec: ClaudeSpec): string[] {
  const args = ['--permission-mode', spec.permissionMode ?? defaultPermissionMode];
  if (spec.model) args.push('--model', spec.model);
  if (spec.allowedTools && spec.allowedTools.length > 0)
    args.push('--allowedTools', spec.allowedTools.join(','));
  if (spec.appendSystemPrompt) args.push('--append-system-prompt', spec.appendSystemPrompt);
  if (spec.mcpConfig) args.push('--mcp-config', spec.mcpConfig);
  return [...args, ...spec.args];
}

/** A long-lived process that takes one user message per turn on stdin (NDJSON) and streams events. */
export function streamArgs(spec: ClaudeSpec): string[] {
  // --verbose is required with -p and stream-json output, or the CLI exits 1.
  return [
    '-p',
    '--input-format',
    'stream-json',
    '--output-format',
    'stream-json',
    '--verbose',
    ...commonArgs(spec),
  ];
}

/**
 * One process per prompt (read from stdin), one JSON result at exit; optionally resuming a session, and
 * optionally capped in dollars (`--max-budget-usd` ends the turn with `error_max_budget_usd` past it).
 */
export function oneShotArgs(spec: ClaudeSpec, resumeSessionId?: string, maxBudgetUsd?: number): string[] {
  return [
    '-p',
    '--output-format',
    'json',
    ...(resumeSessionId ? ['--resume', resumeSessionId] : []),
    ...(maxBudgetUsd !== undefined ? ['--max-budget-usd', String(maxBudgetUsd)] : []),
    ...commonArgs(spec),
  ];
}

export function userMessageLine(text: string): string {
  return JSON.stringify({
    type: 'user',
    message: { role: 'user', content: text },
    parent_tool_use_id: null,
    session_id: '',
  });
}
