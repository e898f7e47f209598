import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

interface DoctorAgent {
  name: string;
  usable: boolean;
  detail: string;
  fix?: string;
}

/** A folder whose PATH holds stand-ins for the three CLIs (they only need to exist) and a HOME with no logins. */
function machineWithClis(): { cwd: string; env: Record<string, string> } {
  const cwd = tempDir();
  const bin = join(cwd, 'bin');
  mkdirSync(bin);
  for (const cli of ['claude', 'codex', 'gemini', 'claude-agent-acp', 'codex-acp']) {
    writeFileSync(join(bin, cli), '#!/bin/sh\necho 1.0.0\n');
    chmodSync(join(bin, cli), 0o755);
  }
  const home = tempDir('ai-collab-home-');
  return {
    cwd,
    env: {
      PATH: `${bin}:${process.env.PATH ?? ''}`,
      HOME: home,
      ANTHROPIC_API_KEY: '',
      ANTHROPIC_AUTH_TOKEN: '',
      CLAUDE_CODE_OAUTH_TOKEN: '',
      CLAUDE_CONFIG_DIR: join(home, '.claude'),
      CODEX_API_KEY: '',
      OPENAI_API_KEY: '',
      CODEX_HOME: join(home, '.codex'),
      GEMINI_API_KEY: '',
      GOOGLE_API_KEY: '',
      GOOGLE_APPLICATION_CREDENTIALS: '',
    },
  };
}

async function doctorAgents(machine: { cwd: string; env: Record<string, string> }): Promise<DoctorAgent[]> {
  const result = await runCli(['doctor', '--json'], machine);
  assert.equal(result.code, 0, result.stderr);
  return (JSON.parse(result.stdout) as { agents: DoctorAgent[] }).agents;
}

test('doctor: an ACP agent has the credentials of the CLI behind it, not a free pass', async () => {
  const machine = machineWithClis();
  const agents = await doctorAgents(machine);
  for (const [acp, cli, fix] of [
    ['acp:gemini', 'gemini', /GEMINI_API_KEY/],
    ['acp:claude', 'claude', /ANTHROPIC_API_KEY/],
    ['acp:codex', 'codex', /OPENAI_API_KEY/],
  ] as const) {
    const viaAcp = agents.find((agent) => agent.name === acp);
    const direct = agents.find((agent) => agent.name === cli);
    assert.equal(direct?.usable, false, `${cli}: ${JSON.stringify(direct)}`);
    assert.equal(viaAcp?.usable, false, `${acp} is called usable while ${cli} has no credentials`);
    assert.match(viaAcp?.fix ?? '', fix);
  }

  const withKey = await doctorAgents({ ...machine, env: { ...machine.env, GEMINI_API_KEY: 'key' } });
  assert.equal(withKey.find((agent) => agent.name === 'gemini')?.usable, true);
  assert.equal(withKey.find((agent) => agent.name === 'acp:gemini')?.usable, true);
});
