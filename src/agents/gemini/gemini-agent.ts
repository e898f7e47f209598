/**
 * Gemini CLI as an agent, in one of two modes (`mode` in the agent's configuration):
 *
 * - `acp` (default): warm, pooled `gemini --acp` processes driven through the ACP adapter, a fresh session
 *   per step. Measured against `prompt`: the first model request comes ~0.1 s after dispatch on a warm
 *   process instead of ~3 s after a spawn (see the adapter report in the integration test).
 * - `prompt`: one `gemini -p … --output-format stream-json` process per step.
 *
 * Trust: gemini refuses untrusted folders in prompt mode (exit 55); ai-collab never trusts one for the
 * user (no `--skip-trust`, no GEMINI_CLI_TRUST_WORKSPACE of its own) and says how to. Auth: an API key in
 * GEMINI_API_KEY (passed through like every GEMINI_* variable) or the user's own gemini settings.
 */

import { createAcpAgent } from '../acp/acp-agent.js';
import type { RpcErrorShape } from '../acp/classify-acp-outcome.js';
import type { Agent, AgentResult, AgentTask, StepFailure } from '../agent.js';
import type { AgentDeps } from '../agent-deps.js';
import { agentEnvironment } from '../cli-environment.js';
import { CappedLog } from '../process/capped-log.js';
import { specForStep } from '../read-only.js';
import { authFix, refineGeminiFailure } from './classify-gemini-failure.js';
import { acpArgs } from './gemini-args.js';
import { geminiRetryLogAddOn } from './gemini-debug-log.js';
import { geminiEnvironmentPolicy } from './gemini-environment.js';
import { runGeminiPrompt } from './gemini-prompt-run.js';
import { retryCapFor } from './gemini-retries.js';
import { type GeminiSpec, geminiReadOnly } from './gemini-spec.js';

export type GeminiMode = 'acp' | 'prompt';

export function geminiMode(spec: GeminiSpec): GeminiMode {
  return spec.mode === 'prompt' ? 'prompt' : 'acp';
}

export function createGeminiAgent(spec: GeminiSpec, deps: AgentDeps): Agent {
  // gemini's allow-list (GEMINI_*, GOOGLE_*) also when the spec came in as a plain `acp` agent.
  const environment = agentEnvironment(spec, geminiEnvironmentPolicy, deps.environment);
  const prompt = new GeminiPromptAgent(spec, deps, environment);
  if (geminiMode(spec) === 'prompt') return prompt;
  return createAcpAgent(spec, deps, {
    // A step that only looks runs as `gemini -p` in gemini's read-only `plan` approval mode.
    runReadOnly: (task) => prompt.run(task),
    args: acpArgs(spec),
    environment,
    // Gemini CLI 0.61.0 cannot create a file through the client's file system: it does not recognise the
    // client's "not found" answer for the new file (it reads the error with String(), which gives
    // "[object Object]") and fails the write. Its own file access is confined to the session's directory.
    fileSystem: false,
    // Measured: one gemini --acp process runs concurrent sessions correctly, but side notices (retries)
    // carry no session id, and one crash would take every session down; so one session per process
    // unless `pool.sessionsPerProcess` says otherwise.
    sessionsPerProcess: spec.pool.sessionsPerProcess ?? 1,
    addOn: () => geminiRetryLogAddOn(deps.clock, environment),
    retryCap: (workspace) => retryCapFor(environment, workspace),
    refineFailure: refineGeminiAcpFailure,
  });
}

/** ACP's reading plus gemini's own (usage limits), and the fix for a missing key. */
function refineGeminiAcpFailure(failure: StepFailure, rpc: RpcErrorShape | undefined): StepFailure {
  const refined = refineGeminiFailure(failure, rpc);
  if (refined.code === 'AUTH_FAILED' && rpc?.code === -32000) {
    return { ...refined, message: `${refined.message}; ${authFix}` };
  }
  return refined;
}

class GeminiPromptAgent implements Agent {
  readonly name: string;
  readonly #spec: GeminiSpec;
  readonly #deps: AgentDeps;
  readonly #environment: Record<string, string>;

  constructor(spec: GeminiSpec, deps: AgentDeps, environment: Record<string, string>) {
    this.name = spec.name;
    this.#spec = spec;
    this.#deps = deps;
    this.#environment = environment;
  }

  async run(task: AgentTask): Promise<AgentResult> {
    const transcript = new CappedLog(task.logFile, this.#deps.maxLogBytes);
    try {
      return await runGeminiPrompt({
        spec: specForStep(this.#spec, task.step, geminiReadOnly),
        deps: this.#deps,
        task,
        transcript,
        environment: this.#environment,
      });
    } finally {
      await transcript.close();
    }
  }
}
