/**
 * A fully resolved agent: which adapter drives it and with what, after defaults and configuration. The
 * keys every agent has are here; each adapter's own keys come from its descriptor's settings schema, so
 * `AgentSpec` is a union discriminated by `adapter` with one member per entry of `adapters.ts`.
 */
import type { AdapterDescriptor } from './adapter-descriptor.js';
import type { adapterDescriptors } from './adapters.js';

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

export interface AgentSpecBase {
  name: string;
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
  capabilities: AgentCapability[];
  /** Why the agent cannot run here, and what to do about it. */
  unavailable?: { reason: string; fix: string };
}

/** The spec of an agent of adapter `K` whose own settings are `Settings`. */
export type SpecOf<K extends string, Settings> = AgentSpecBase & { adapter: K } & Settings;

type Descriptors = typeof adapterDescriptors;
export type AdapterKind = keyof Descriptors;
export type SpecFor<K extends AdapterKind> =
  Descriptors[K] extends AdapterDescriptor<infer Spec> ? Spec : never;
export type AgentSpec = { [K in AdapterKind]: SpecFor<K> }[AdapterKind];
