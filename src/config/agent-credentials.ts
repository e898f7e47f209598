/** Where each agent CLI finds its credentials (its descriptor says), so `doctor` can say whether it can log in. */
import type { CredentialCheck, CredentialSubject } from '../agents/adapter-descriptor.js';
import { descriptorOf } from '../agents/adapters.js';
import type { AgentSpec } from '../agents/agent-spec.js';

export type { CredentialCheck };

/**
 * An agent's credentials are its CLI's, whatever protocol it is spoken to in: `acp:gemini` (`gemini --acp`)
 * logs in exactly as `gemini` does, `acp:claude` (claude-agent-acp) as `claude`, `acp:codex` as `codex`.
 */
export function checkAgentCredentials(spec: AgentSpec, environment: NodeJS.ProcessEnv): CredentialCheck {
  const subject: CredentialSubject = {
    name: spec.name,
    command: spec.command,
    apiKeyEnv: 'apiKeyEnv' in spec ? spec.apiKeyEnv : undefined,
  };
  return descriptorOf(spec).credentials(subject, environment);
}
