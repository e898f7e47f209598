/** The gemini adapter's own keys under `agents.<name>`, and the spec they make. */
import { z } from 'zod';
import type { SpecOf } from '../agent-spec.js';

export const geminiApprovalMode = z.enum(['default', 'auto_edit', 'yolo', 'plan']);

export const acpAuthMethod = z.string().min(1).max(200);

export const geminiModes = ['acp', 'prompt'] as const;

export const geminiSettings = z.object({
  /** acp (long-lived, pooled) or prompt (one `gemini -p` per step). */
  mode: z.enum(geminiModes).optional(),
  /** --approval-mode. */
  approvalMode: geminiApprovalMode.optional(),
  /** ACP mode: the authentication method id, used only when the agent asks to authenticate. */
  authMethod: acpAuthMethod.optional(),
});

export type GeminiSpec = SpecOf<'gemini', z.output<typeof geminiSettings>>;

/** Read-only: gemini's `plan` approval mode, in a one-shot `gemini -p`. */
export function geminiReadOnly(spec: GeminiSpec): GeminiSpec {
  return { ...spec, mode: 'prompt', approvalMode: 'plan' };
}
