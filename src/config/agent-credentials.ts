/** Where each agent CLI finds its credentials, so `doctor` can say whether it will be able to log in. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { basename, join } from 'node:path';
import type { AdapterKind, AgentSpec } from '../agents/agent-spec.js';

export interface CredentialCheck {
  found: boolean;
  /** Where the credential was found, or what to set. Never the secret itself. */
  detail: string;
}

export function checkCredentials(
  adapter: AdapterKind,
  environment: NodeJS.ProcessEnv,
  apiKeyEnv?: string,
): CredentialCheck {
  const home = environment.HOME ?? homedir();
  const fromEnv = (names: string[]): string | undefined => names.find((name) => Boolean(environment[name]));
  switch (adapter) {
    case 'claude': {
      const name = fromEnv(['ANTHROPIC_API_KEY', 'ANTHROPIC_AUTH_TOKEN', 'CLAUDE_CODE_OAUTH_TOKEN']);
      if (name) return { found: true, detail: `${name} is set` };
      const file = join(environment.CLAUDE_CONFIG_DIR ?? join(home, '.claude'), '.credentials.json');
      if (existsSync(file)) return { found: true, detail: `logged in (${file})` };
      return { found: false, detail: 'set ANTHROPIC_API_KEY, or run claude once and log in' };
    }
    case 'codex': {
      // A configured endpoint's key (`apiKeyEnv`) counts as well as codex's own.
      const name = fromEnv(['CODEX_API_KEY', 'OPENAI_API_KEY', ...(apiKeyEnv ? [apiKeyEnv] : [])]);
      if (name) return { found: true, detail: `${name} is set` };
      const file = join(environment.CODEX_HOME ?? join(home, '.codex'), 'auth.json');
      if (existsSync(file)) return { found: true, detail: `logged in (${file})` };
      return { found: false, detail: 'set OPENAI_API_KEY, or run codex login' };
    }
    case 'gemini': {
      const name = fromEnv(['GEMINI_API_KEY', 'GOOGLE_API_KEY', 'GOOGLE_APPLICATION_CREDENTIALS']);
      if (name) return { found: true, detail: `${name} is set` };
      const file = join(home, '.gemini', 'oauth_creds.json');
      if (existsSync(file))
        return {
          found: true,
          detail: `logged in (${file}); note Google stopped serving free OAuth use of Gemini CLI`,
        };
      return { found: false, detail: 'set GEMINI_API_KEY' };
    }
    case 'openai':
      if (!apiKeyEnv) return { found: true, detail: 'no key needed (local server)' };
      return environment[apiKeyEnv]
        ? { found: true, detail: `${apiKeyEnv} is set` }
        : { found: false, detail: `set ${apiKeyEnv}` };
    case 'acp':
      // Only an ACP agent none of the three CLIs serves is left to authenticate itself.
      return { found: true, detail: 'the ACP agent authenticates itself' };
    case 'shell':
      return { found: true, detail: 'none needed' };
  }
}

/**
 * An agent's credentials are its CLI's, whatever protocol it is spoken to in: `acp:gemini` (`gemini --acp`)
 * logs in exactly as `gemini` does, `acp:claude` (claude-agent-acp) as `claude`, `acp:codex` as `codex`.
 */
export function checkAgentCredentials(
  spec: Pick<AgentSpec, 'name' | 'adapter' | 'command' | 'apiKeyEnv'>,
  environment: NodeJS.ProcessEnv,
): CredentialCheck {
  const adapter = spec.adapter === 'acp' ? (acpCli(spec) ?? 'acp') : spec.adapter;
  return checkCredentials(adapter, environment, spec.apiKeyEnv);
}

/** The CLI behind an ACP agent, from its name (`acp:gemini`) or its command (`gemini`, `claude-agent-acp`). */
function acpCli(spec: Pick<AgentSpec, 'name' | 'command'>): 'claude' | 'codex' | 'gemini' | undefined {
  const named = spec.name.startsWith('acp:') ? spec.name.slice(4) : undefined;
  const program = basename(spec.command);
  for (const cli of ['claude', 'codex', 'gemini'] as const) {
    if (named === cli || program === cli || program.startsWith(`${cli}-`)) return cli;
  }
  return undefined;
}
