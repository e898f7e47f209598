/** `ai-collab doctor`: which agent CLIs and keys are usable here, and for each that is not, why and the fix. */
import { execFile } from 'node:child_process';
import { dirname } from 'node:path';
import pc from 'picocolors';
import { adapterKinds, descriptorOf, descriptorOfKind } from '../../agents/adapters.js';
import { stepTagName } from '../../agents/agent-deps.js';
import type { AgentSpec } from '../../agents/agent-spec.js';
import { type Containment, processContainment } from '../../agents/process/cgroup.js';
import {
  type LauncherAvailability,
  launcherVariable,
  stepLauncherAvailability,
} from '../../agents/process/launcher-pool.js';
import { perlPath } from '../../agents/process/step-launcher.js';
import { findExecutable } from '../../config/find-executable.js';
import { resolveAgents } from '../../config/resolve-agents.js';
import { exitCodes } from '../exit-codes.js';
import type { CommandContext } from './command-context.js';

interface CliReport {
  cli: string;
  path: string | null;
  version: string | null;
  credentials: { found: boolean; detail: string };
}

interface AgentReport {
  name: string;
  adapter: string;
  usable: boolean;
  detail: string;
  fix?: string;
}

/** Every adapter with a CLI of its own to look for (claude, codex, gemini), from the adapter list. */
const knownClis = adapterKinds.flatMap((adapter) => {
  const cli = descriptorOfKind(adapter).cli?.defaultCommand;
  return cli ? [{ cli, adapter }] : [];
});

export async function doctorCommand(options: { json?: boolean }, context: CommandContext): Promise<number> {
  const config = context.loadConfig();
  const environment = context.environment;
  const clis = await Promise.all(
    knownClis.map(async ({ cli, adapter }): Promise<CliReport> => {
      const command = config.agents[cli]?.command ?? cli;
      const path = findExecutable(command, environment.PATH) ?? null;
      return {
        cli,
        path,
        version: path ? await versionOf(path) : null,
        credentials: descriptorOfKind(adapter).credentials({ name: cli, command: cli }, environment),
      };
    }),
  );
  const agents = [...resolveAgents(config, environment).values()].map(agentReport());
  const containment = containmentReport(processContainment());
  const launcher = launcherReport(stepLauncherAvailability(environment, processContainment()));
  if (options.json) {
    context.streams.stdout.write(
      `${JSON.stringify({ clis, agents, containment, launcher, configFiles: config.sources })}\n`,
    );
    return exitCodes.success;
  }
  const out = context.streams.stdout;
  const colors = pc.createColors('isTTY' in out && out.isTTY === true && !environment.NO_COLOR);
  out.write(`${colors.bold('Agent CLIs')}\n`);
  for (const cli of clis) {
    const state = cli.path ? colors.green('found  ') : colors.red('missing');
    const where = cli.path ? `${cli.path}${cli.version ? ` (${cli.version})` : ''}` : '';
    const credentials = cli.path
      ? `; credentials: ${cli.credentials.found ? colors.green(cli.credentials.detail) : colors.yellow(cli.credentials.detail)}`
      : '';
    out.write(`  ${cli.cli.padEnd(8)} ${state} ${where}${credentials}\n`);
  }
  out.write(
    `${colors.bold('Agents')} ${colors.gray(config.sources.length > 0 ? `(from ${config.sources.join(', ')} and defaults)` : '(defaults; no ai-collab.config.yaml)')}\n`,
  );
  const width = Math.max(...agents.map((agent) => agent.name.length), 6);
  for (const agent of agents) {
    const state = agent.usable ? colors.green('usable  ') : colors.red('unusable');
    out.write(
      `  ${agent.name.padEnd(width)} ${state} ${agent.detail}${agent.fix ? colors.gray(` → ${agent.fix}`) : ''}\n`,
    );
  }
  const contained = containment.kind === 'cgroup';
  out.write(
    `${colors.bold('Process containment')}\n  ${contained ? colors.green(containment.detail) : colors.yellow(containment.detail)}\n`,
  );
  out.write(`${colors.bold('Step launcher')}\n  ${launcher.detail}\n`);
  return exitCodes.success;
}

/** How shell steps and checks are started here: by a resident launcher, or by forking the orchestrator. */
function launcherReport(availability: LauncherAvailability): {
  kind: LauncherAvailability['kind'];
  detail: string;
} {
  if (availability.kind === 'resident') {
    return {
      kind: 'resident',
      detail: `resident: one small ${perlPath} process per running step starts shell steps and checks (${launcherVariable}=spawn turns it off)`,
    };
  }
  return {
    kind: 'spawn',
    detail: `node's spawn, one fork of the orchestrator per step (${availability.reason})`,
  };
}

/** How a step's leftovers are found and stopped here, in words a user can act on. */
function containmentReport(containment: Containment): { kind: Containment['kind']; detail: string } {
  if (containment.kind === 'cgroup') {
    return {
      kind: 'cgroup',
      detail: `cgroup v2: each step runs in a cgroup of its own under ${dirname(containment.directory)}; nothing it starts can outlive it`,
    };
  }
  return {
    kind: 'process-group',
    detail:
      `process group + ${stepTagName} scan (cgroup v2 unusable: ${containment.reason}); ` +
      'a process that starts its own session and clears its environment can outlive its step',
  };
}

function agentReport() {
  return (spec: AgentSpec): AgentReport => {
    if (spec.unavailable) {
      return {
        name: spec.name,
        adapter: spec.adapter,
        usable: false,
        detail: spec.unavailable.reason,
        fix: spec.unavailable.fix,
      };
    }
    // Credentials are part of the spec's availability, so doctor and every start agree on what is usable.
    return { name: spec.name, adapter: spec.adapter, usable: true, detail: descriptorOf(spec).doctor(spec) };
  };
}

function versionOf(path: string): Promise<string | null> {
  return new Promise((resolve) => {
    execFile(
      path,
      ['--version'],
      { timeout: 15_000, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' } },
      (error, stdout) => {
        resolve(error ? null : (stdout.trim().split('\n')[0] ?? null));
      },
    );
  });
}
