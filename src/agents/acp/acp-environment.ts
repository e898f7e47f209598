/** The allow-list of an ACP agent: that of the known CLI it wraps, else nothing beyond the base list. */
import { basename } from 'node:path';
import { claudeEnvironmentPolicy } from '../claude/claude-environment.js';
import { codexEnvironmentPolicy } from '../codex/codex-environment.js';
import { geminiEnvironmentPolicy } from '../gemini/gemini-environment.js';
import type { EnvironmentPolicy } from '../process/child-environment.js';

const wrapped = {
  claude: claudeEnvironmentPolicy,
  codex: codexEnvironmentPolicy,
  gemini: geminiEnvironmentPolicy,
} as const;

/** The CLI behind an ACP agent, from its name (`acp:gemini`) or its command (`gemini`, `claude-agent-acp`). */
export function acpCli(spec: { name?: string; command: string }): keyof typeof wrapped | undefined {
  const named = spec.name?.startsWith('acp:') ? spec.name.slice(4) : undefined;
  const program = basename(spec.command);
  for (const cli of ['claude', 'codex', 'gemini'] as const) {
    if (named === cli || program === cli || program.startsWith(`${cli}-`)) return cli;
  }
  return undefined;
}

/** An ACP agent that wraps a known CLI reads that CLI's variables (keys, configuration). */
export function acpEnvironmentPolicy(command: string): EnvironmentPolicy {
  const name = command.split('/').pop() ?? command;
  for (const cli of ['claude', 'codex', 'gemini'] as const) {
    if (name.startsWith(cli)) return wrapped[cli];
  }
  return { names: [], prefixes: [] };
}
