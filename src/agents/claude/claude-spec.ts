/** The claude adapter's own keys under `agents.<name>`, and the spec they make. */
import { z } from 'zod';
import type { SpecOf } from '../agent-spec.js';

export const claudePermissionMode = z.enum([
  'default',
  'acceptEdits',
  'plan',
  'auto',
  'dontAsk',
  'bypassPermissions',
]);

/** --append-system-prompt (the openai adapter appends it to its system message too). */
export const appendSystemPrompt = z.string().max(65_536);

export const claudeModes = ['stream', 'oneshot'] as const;

export const claudeSettings = z.object({
  /** stream (long-lived, pooled) or oneshot. */
  mode: z.enum(claudeModes).optional(),
  /** --permission-mode for steps (acceptEdits unless you choose otherwise). */
  permissionMode: claudePermissionMode.optional(),
  /** --allowedTools rules, e.g. Bash(npm test). */
  allowedTools: z.array(z.string().min(1).max(500)).max(200).optional(),
  appendSystemPrompt: appendSystemPrompt.optional(),
  /** --mcp-config file. */
  mcpConfig: z.string().min(1).max(4096).optional(),
});

export type ClaudeSpec = SpecOf<'claude', z.output<typeof claudeSettings>>;

/** Read-only: plan mode, in a one-shot process (a warm process's permission mode is fixed at its start). */
export function claudeReadOnly(spec: ClaudeSpec): ClaudeSpec {
  return { ...spec, mode: 'oneshot', permissionMode: 'plan' };
}
