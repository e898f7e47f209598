/**
 * Everything the rest of ai-collab needs to know about one kind of adapter, in one object per folder
 * (`<kind>/<kind>-adapter.ts`), listed once in `adapters.ts`. Every member is required, so a new adapter
 * that leaves one out does not compile; nothing elsewhere switches on the adapter's name.
 */
import type { z } from 'zod';
import type { Agent } from './agent.js';
import type { AgentDeps } from './agent-deps.js';
import type { AgentCapability, AgentSpecBase } from './agent-spec.js';
import type { EnvironmentPolicy } from './process/child-environment.js';

/** Where a credential was found, or what to set; never the secret itself. */
export interface CredentialCheck {
  found: boolean;
  detail: string;
}

/** What a credential check looks at: the agent's name and command (an ACP agent's CLI) and its key's variable. */
export interface CredentialSubject {
  name: string;
  command: string;
  apiKeyEnv?: string | undefined;
}

export type Environment = Readonly<Record<string, string | undefined>>;

/** Why an agent cannot run here, and the fix. */
export interface Unavailable {
  reason: string;
  fix: string;
}

/** What asking a model directly needs of an agent's spec: its endpoint and key's variable. */
export interface ModelEndpointSpec {
  name: string;
  model?: string | undefined;
  baseUrl?: string | undefined;
  apiKeyEnv?: string | undefined;
}

/** The cases every adapter runs in the contract suite (test/integration/adapter-contract). */
export const contractCases = [
  'writes-a-file',
  'stream-parts-in-order',
  'reports-usage',
  'rate-limit-with-reset',
  'rate-limit-without-reset',
  'server-error',
  'auth-failure',
  'usage-limit',
  'timeout-leaves-no-process',
  'cancel-leaves-no-process',
  'aborted-mid-stream',
  'pool-reuses-and-recycles',
] as const;
export type ContractCase = (typeof contractCases)[number];

/** For each case: runs, or why this adapter (in this mode) cannot express it — shown as such, never skipped. */
export type ContractSupport = { readonly [C in ContractCase]: true | { readonly notApplicable: string } };

/** Every case runs: the start of each descriptor's `contract`, with the exceptions it can justify. */
export const everyContractCase: ContractSupport = {
  'writes-a-file': true,
  'stream-parts-in-order': true,
  'reports-usage': true,
  'rate-limit-with-reset': true,
  'rate-limit-without-reset': true,
  'server-error': true,
  'auth-failure': true,
  'usage-limit': true,
  'timeout-leaves-no-process': true,
  'cancel-leaves-no-process': true,
  'aborted-mid-stream': true,
  'pool-reuses-and-recycles': true,
};

export interface AdapterDescriptor<Spec extends AgentSpecBase & { adapter: string }> {
  readonly kind: Spec['adapter'];
  /** One line: what drives it (docs/adapters.md and `doctor`). */
  readonly summary: string;
  /** The zod of this adapter's own keys under `agents.<name>` (the common keys are config-schema's). */
  readonly settings: z.ZodObject;
  /** `mode:` values it takes, the default first; empty when it has none. */
  readonly modes: readonly string[];
  /** The CLI it starts: the command looked up on PATH when none is configured, and how to install it. */
  readonly cli:
    | { readonly defaultCommand: string | undefined; install(agentName: string): string | undefined }
    | undefined;
  /** The pinned npm package of the CLI that scripts/install-agent-clis.sh installs for the tests. */
  readonly testCli: { readonly package: string; readonly binary: string } | { readonly none: string };
  /** What an agent of this kind is for when its configuration does not say. */
  readonly defaultCapabilities: readonly AgentCapability[];
  /**
   * How it plans and reviews: as an agent (a read-only step), as a model asked directly (the chat
   * reviewer, given its endpoint), or not at all (why).
   */
  readonly thinks: 'agent' | { model(spec: Spec): ModelEndpointSpec } | { readonly none: string };
  /** Default reviewers take every model, then the first agent of each `vendor` kind, and a `last-resort` one only alone. */
  readonly defaultReviewer: 'model' | 'vendor' | 'last-resort' | 'never';
  /** Turns the configured settings (already validated) into this adapter's own spec keys. */
  ownSettings(settings: Readonly<Record<string, unknown>>): Omit<Spec, keyof AgentSpecBase | 'adapter'>;
  /** Why it cannot run here, beyond a missing command (checked for every CLI); undefined when it can. */
  unavailable(spec: Spec, environment: Environment): Unavailable | undefined;
  /** Where its CLI finds credentials. */
  credentials(subject: CredentialSubject, environment: Environment): CredentialCheck;
  /** Variables of the orchestrator's environment its processes get, on top of the base allow-list. */
  environment(spec: Pick<Spec, 'command'>): EnvironmentPolicy;
  /** The spec a step that only looks runs with (planning, review, read/analyze/validate steps). */
  readOnly(spec: Spec): Spec;
  /** What `doctor` shows for a usable agent. */
  doctor(spec: Spec): string;
  /** How the planner describes the agent to the model choosing agents for steps. */
  plannerDescription(spec: Spec): string;
  create(spec: Spec, deps: AgentDeps): Agent;
  /** Per mode (`default` when it has none): which contract cases it can express. */
  readonly contract: Readonly<Record<string, ContractSupport>>;
}
