/** Command lines for Gemini CLI's two headless modes, from an agent's configuration. */
import type { GeminiSpec } from './gemini-spec.js';

/** Headless steps that change code may edit files; shell commands need `approvalMode: yolo`. */
export const defaultApprovalMode = 'auto_edit';

/**
 * Linux refuses a single argument longer than 128 KiB (MAX_ARG_STRLEN); longer prompts go on stdin, which
 * gemini reads before the `-p` text when stdin is not a terminal.
 */
export const maxPromptArgBytes = 100_000;

/** One `gemini -p` process per step: stream-json events on stdout, the prompt as an argument. */
export function promptArgs(spec: GeminiSpec, prompt: string): string[] {
  return [
    '-p',
    prompt,
    '--output-format',
    'stream-json',
    '--approval-mode',
    spec.approvalMode ?? defaultApprovalMode,
    ...(spec.model ? ['-m', spec.model] : []),
    ...spec.args,
  ];
}

/**
 * A long-lived `gemini --acp` process. No approval mode is passed (the CLI's default asks the client for
 * every edit and command), so ai-collab's permission policy decides each one, inside the step's directory;
 * only `plan` (read-only) is passed on, so the model is not even offered the writing tools.
 */
export function acpArgs(spec: GeminiSpec): string[] {
  return [
    '--acp',
    ...(spec.approvalMode === 'plan' ? ['--approval-mode', 'plan'] : []),
    ...(spec.model ? ['-m', spec.model] : []),
    ...spec.args,
  ];
}
