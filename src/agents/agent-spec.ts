/** A fully resolved agent: which adapter drives it and with what, after defaults and configuration. */

export type AdapterKind = 'shell' | 'claude' | 'codex' | 'gemini' | 'acp' | 'openai';
export type AgentCapability = 'execute' | 'plan' | 'review';

export interface PoolSettings {
  size: number;
  prewarm: number;
  maxUses: number;
  maxAgeMs: number;
  maxMemoryBytes: number;
  idleTimeoutMs: number;
  /** ACP agents: sessions one process serves at once. */
  sessionsPerProcess?: number;
}

export interface AgentSpec {
  name: string;
  adapter: AdapterKind;
  /** Executable (absolute when found on PATH). */
  command: string;
  args: string[];
  model?: string;
  /** Values set for the agent's processes. */
  env: Record<string, string>;
  /** Variables passed through from the orchestrator's environment, on top of the adapter's own. */
  passEnv: string[];
  concurrency?: number;
  timeoutMs?: number;
  /** Agents that take over this one's steps when it is parked, unusable or crash-looping. */
  fallback?: string[];
  pool: PoolSettings;
  mode?: string;
  permissionMode?: string;
  allowedTools?: string[];
  appendSystemPrompt?: string;
  mcpConfig?: string;
  sandbox?: string;
  approvalMode?: string;
  baseUrl?: string;
  apiKeyEnv?: string;
  /** acp: the authentication method id to use when the agent asks for one. */
  authMethod?: string;
  /** openai: most model↔tool round trips in one step. */
  maxToolRounds?: number;
  capabilities: AgentCapability[];
  /** Why the agent cannot run here, and what to do about it. */
  unavailable?: { reason: string; fix: string };
}
