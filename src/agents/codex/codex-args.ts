/** Command lines for codex's two headless modes, from an agent's configuration. */
import type { CodexSpec } from './codex-spec.js';

/** Steps change code in their workspace; anything broader (network, other directories) must be configured. */
export const defaultSandbox = 'workspace-write';

export type CodexSandbox = 'read-only' | 'workspace-write' | 'danger-full-access';

export function sandboxOf(spec: CodexSpec): CodexSandbox {
  const sandbox = spec.sandbox;
  return sandbox === 'read-only' || sandbox === 'danger-full-access' ? sandbox : defaultSandbox;
}

function configFlags(overrides: readonly string[]): string[] {
  return overrides.flatMap((override) => ['-c', override]);
}

/**
 * `codex exec --json … -`: one process per step, JSONL events on stdout, the prompt on stdin (`-`), so a
 * long prompt never meets argv limits (measured: no "Reading additional input" notice, the whole of stdin
 * is the prompt). The adapter's overrides come first and the agent's own `args` after them, so the agent's
 * configuration wins (codex applies `-c` in order, last one wins: measured). `resume <thread>` continues
 * an earlier thread; the options before it still apply.
 */
export function execArgs(
  spec: CodexSpec,
  options: { workspace: string; overrides: readonly string[]; resumeThreadId?: string },
): string[] {
  return [
    'exec',
    '--json',
    // exec never asks; saying so keeps a user's `approval_policy` in config.toml from mattering here.
    ...configFlags(['approval_policy="never"', ...options.overrides]),
    ...(spec.model ? ['-m', spec.model] : []),
    // Workspaces are often not git repositories (or are fresh worktrees codex has not been told to trust);
    // without this flag exec exits 1 "Not inside a trusted directory".
    '--skip-git-repo-check',
    '-s',
    sandboxOf(spec),
    '-C',
    options.workspace,
    ...spec.args,
    ...(options.resumeThreadId ? ['resume', options.resumeThreadId] : []),
    '-',
  ];
}

/**
 * `codex app-server`: a long-lived JSON-RPC server on stdio. Model, sandbox, approval policy and working
 * directory are set per thread, so one process serves steps in any directory.
 */
export function appServerArgs(spec: CodexSpec, overrides: readonly string[]): string[] {
  return ['app-server', ...configFlags(overrides), ...spec.args];
}
