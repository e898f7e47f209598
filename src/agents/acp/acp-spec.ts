/** The acp adapter's own keys under `agents.<name>`, and the spec they make. */
import { z } from 'zod';
import type { SpecOf } from '../agent-spec.js';
import { claudePermissionMode } from '../claude/claude-spec.js';
import { acpAuthMethod, type GeminiSpec, geminiApprovalMode } from '../gemini/gemini-spec.js';

export const acpSettings = z.object({
  /** Permission level in gemini's words (yolo, auto_edit, default, plan). */
  approvalMode: geminiApprovalMode.optional(),
  /** Permission level in claude's words, when approvalMode is not set. */
  permissionMode: claudePermissionMode.optional(),
  /** The authentication method id, used only when the agent asks to authenticate. */
  authMethod: acpAuthMethod.optional(),
});

export type AcpSpec = SpecOf<'acp', z.output<typeof acpSettings>>;

/** What the ACP client drives: a generic ACP agent, or Gemini CLI in its ACP mode. */
export type AcpAgentSpec = AcpSpec | GeminiSpec;
