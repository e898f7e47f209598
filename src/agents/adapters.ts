/**
 * The one list of adapters. Adding one is a folder with its descriptor (see docs/adapters.md) and a line
 * here; `AgentSpec`, the config schema, the registry, `doctor`, the planner, the reviewers, the credential
 * check, the environment allow-list and the contract suite all read it.
 */

import { acpAdapter } from './acp/acp-adapter.js';
import type { AdapterDescriptor } from './adapter-descriptor.js';
import type { AdapterKind, AgentSpec } from './agent-spec.js';
import { claudeAdapter } from './claude/claude-adapter.js';
import { codexAdapter } from './codex/codex-adapter.js';
import { geminiAdapter } from './gemini/gemini-adapter.js';
import { openAiAdapter } from './openai/openai-adapter.js';
import { shellAdapter } from './shell/shell-adapter.js';

export const adapterDescriptors = {
  shell: shellAdapter,
  claude: claudeAdapter,
  codex: codexAdapter,
  gemini: geminiAdapter,
  acp: acpAdapter,
  openai: openAiAdapter,
};

/** Kinds in the list's order (the order `doctor` and default reviewers use). */
export const adapterKinds = Object.keys(adapterDescriptors) as [AdapterKind, ...AdapterKind[]];

/**
 * The descriptor of a spec's adapter. The list is keyed by the very `adapter` value the spec carries, so
 * the descriptor always takes this spec; TypeScript cannot follow that correlation through a union.
 */
export function descriptorOf<Spec extends AgentSpec>(spec: Spec): AdapterDescriptor<Spec> {
  return adapterDescriptors[spec.adapter] as unknown as AdapterDescriptor<Spec>;
}

/** The descriptor of a kind, for what needs no spec (doctor's CLI table, the schema). */
export function descriptorOfKind(kind: AdapterKind): AdapterDescriptor<AgentSpec> {
  return adapterDescriptors[kind] as unknown as AdapterDescriptor<AgentSpec>;
}

/** The agent's configuration for a step that may read the workspace but not change it (its descriptor's). */
export function readOnlySpec<Spec extends AgentSpec>(spec: Spec): Spec {
  return descriptorOf(spec).readOnly(spec);
}
