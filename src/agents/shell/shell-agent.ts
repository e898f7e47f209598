/** Runs a shell step's `run:` with `sh -c` in the workspace. Any non-zero exit counts against `retries`. */
import type { Clock } from '../../support/clock.js';
import type { Agent, AgentResult, AgentTask } from '../agent.js';
import { stepTagName } from '../agent-deps.js';
import { buildChildEnvironment, type EnvironmentPolicy } from '../process/child-environment.js';
import { runProcess } from '../process/run-process.js';

export interface ShellAgentOptions {
  clock: Clock;
  environment: EnvironmentPolicy;
  /** The orchestrator's own environment, filtered through `environment`. */
  sourceEnvironment: Readonly<Record<string, string | undefined>>;
  maxLogBytes: number;
  killGraceMs: number;
  drainMs: number;
  /** Values set for every shell step (the agent's configured `env`), under each step's own `env`. */
  extraEnvironment?: Readonly<Record<string, string>>;
}

export { stepTagName as processTagName } from '../agent-deps.js';

export function createShellAgent(options: ShellAgentOptions): Agent {
  // Filtered once, not per step: reading `process.env` is a call into C++ for every variable, which showed
  // in the profile of plans of small commands. The orchestrator's environment does not change while it runs.
  let inherited: Record<string, string> | undefined;
  return {
    name: 'shell',
    async run(task: AgentTask): Promise<AgentResult> {
      const command = task.step.run;
      if (command === undefined) {
        return {
          ok: false,
          failure: { code: 'INTERNAL', kind: 'permanent', message: 'shell step without run:' },
        };
      }
      inherited ??= buildChildEnvironment(
        options.sourceEnvironment,
        options.environment,
        options.extraEnvironment,
      );
      const env = {
        ...inherited,
        ...task.step.env,
        AI_COLLAB_RUN_ID: task.runId,
        AI_COLLAB_STEP_ID: task.stepId,
        AI_COLLAB_ATTEMPT: String(task.attempt),
      };
      const outcome = await runProcess({
        command: '/bin/sh',
        args: ['-c', command],
        cwd: task.workspace,
        env,
        tag: { name: stepTagName, value: `${task.runId}/${task.stepId}/${task.attempt}` },
        logFile: task.logFile,
        maxLogBytes: options.maxLogBytes,
        clock: options.clock,
        killGraceMs: options.killGraceMs,
        drainMs: options.drainMs,
        signal: task.signal,
        onStarted: task.onProcessStarted,
      });
      switch (outcome.kind) {
        case 'spawn-failed':
          return {
            ok: false,
            failure: { code: 'SPAWN_FAILED', kind: 'permanent', message: outcome.message },
          };
        case 'aborted':
          return {
            ok: false,
            failure: { code: 'ABORTED', kind: 'transient', message: 'stopped', outputTail: outcome.tail },
          };
        case 'lost':
          return {
            ok: false,
            failure: {
              code: 'AGENT_CRASHED',
              kind: 'transient',
              message: `${outcome.message}; the command was stopped`,
              outputTail: outcome.tail,
            },
          };
        case 'exited':
          if (outcome.exitCode === 0) return { ok: true, output: outcome.tail };
          return {
            ok: false,
            failure: {
              code: outcome.signal ? 'KILLED_BY_SIGNAL' : 'EXIT_CODE',
              kind: 'transient',
              message: `${outcome.signal ? `killed by ${outcome.signal}` : `exit code ${outcome.exitCode}`}${lastLine(outcome.tail)}`,
              outputTail: outcome.tail,
              ...(outcome.exitCode !== null && { exitCode: outcome.exitCode }),
              ...(outcome.signal !== null && { signal: outcome.signal }),
            },
          };
      }
    },
  };
}

/** The last non-empty output line, to say why a command failed without opening its log. */
function lastLine(tail: string): string {
  const line = tail
    .split('\n')
    .map((text) => text.trim())
    .filter(Boolean)
    .pop();
  return line ? `: ${line.slice(0, 200)}` : '';
}
