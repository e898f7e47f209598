/** The codex adapter's own keys under `agents.<name>`, and the spec they make. */
import { z } from 'zod';
import type { SpecOf } from '../agent-spec.js';
import { apiKeyEnv, baseUrl } from '../openai/openai-spec.js';

export const codexModes = ['exec', 'app-server'] as const;

export const codexSettings = z.object({
  /** exec (one `codex exec` per step) or app-server (long-lived, pooled). */
  mode: z.enum(codexModes).optional(),
  /** --sandbox. */
  sandbox: z.enum(['read-only', 'workspace-write', 'danger-full-access']).optional(),
  /** An OpenAI-compatible endpoint codex uses as its own provider. */
  baseUrl: baseUrl.optional(),
  apiKeyEnv: apiKeyEnv.optional(),
});

export type CodexSpec = SpecOf<'codex', z.output<typeof codexSettings>>;

/** Read-only: codex's read-only sandbox, in a one-shot `codex exec`. */
export function codexReadOnly(spec: CodexSpec): CodexSpec {
  return { ...spec, mode: 'exec', sandbox: 'read-only' };
}
