/**
 * The terminal side of the approval gate: shows the plan and asks to approve, reject or edit it in
 * $EDITOR (re-validated before it can be approved). Any other front end may decide meanwhile; the first
 * decision counts and the prompt then closes. Without a terminal it only says where to approve.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface, type Interface } from 'node:readline';
import pc from 'picocolors';
import type { RunHandle } from '../engine/engine.js';
import { agentCatalogOf } from '../plan/agent-catalog.js';
import { parsePlanText } from '../plan/load-plan.js';
import { planToYaml } from '../plan/plan-to-yaml.js';
import type { PlanDefinition } from '../protocol/plan-types.js';
import { terminalSafe } from '../support/control-characters.js';
import { isInputError } from '../support/errors.js';
import { forecastLines } from './output/budget-text.js';
import { renderPlanOverview } from './output/plan-overview.js';
import type { Runtime } from './runtime.js';

export interface ApprovalPromptOptions {
  stdin: NodeJS.ReadStream;
  stderr: NodeJS.WriteStream;
  environment: NodeJS.ProcessEnv;
}

/** Resolves once the run is no longer awaiting approval (decided here or elsewhere) or the wait ended. */
export async function awaitApproval(
  runtime: Runtime,
  handle: RunHandle,
  options: ApprovalPromptOptions,
): Promise<void> {
  const { stderr } = options;
  const colors = pc.createColors(Boolean(stderr.isTTY) && !options.environment.NO_COLOR);
  stderr.write(`${colors.bold(`Run ${handle.runId}`)}\n`);
  stderr.write(`${renderPlanOverview(handle.state.plan, colors, handle.state.approvalReason)}\n`);
  const forecast = forecastLines(runtime.engine.forecast(handle.state.plan.steps), handle.state.budget);
  if (forecast.length > 0) stderr.write(`${forecast.join('\n')}\n`);
  const decidedElsewhere = new Promise<void>((resolve) => {
    const unsubscribe = handle.subscribe((event) => {
      if (event.type === 'run.approval-decided') {
        unsubscribe();
        resolve();
      }
    });
    void handle.done.then(() => resolve());
  });
  if (!options.stdin.isTTY) {
    stderr.write(
      `Run ${handle.runId} waits for approval. Approve it with: ai-collab approve ${handle.runId} (or reject it with: ai-collab reject ${handle.runId}), or from the dashboard (ai-collab serve), VS Code or an MCP client; Ctrl-C stops waiting and leaves it resumable.\n`,
    );
    await decidedElsewhere;
    return;
  }
  const reader = createInterface({ input: options.stdin, output: stderr });
  // readline swallows Ctrl-C on a terminal; pass it on so the usual interrupt handling applies.
  reader.on('SIGINT', () => process.emit('SIGINT', 'SIGINT'));
  try {
    await Promise.race([askUntilDecided(runtime, handle, reader, options), decidedElsewhere]);
  } finally {
    reader.close();
  }
}

async function askUntilDecided(
  runtime: Runtime,
  handle: RunHandle,
  reader: Interface,
  options: ApprovalPromptOptions,
): Promise<void> {
  let plan: PlanDefinition | undefined;
  for (;;) {
    const answer = (await question(reader, `Approve and run ${handle.runId}? [y]es, [n]o, [e]dit: `))
      .trim()
      .toLowerCase();
    if (answer === 'y' || answer === 'yes') {
      report(
        options,
        runtime.engine.decide(handle.runId, { decision: 'approved', by: 'terminal', ...(plan && { plan }) }),
      );
      return;
    }
    if (answer === 'n' || answer === 'no') {
      const reason = (await question(reader, 'Reason (optional): ')).trim();
      report(
        options,
        runtime.engine.decide(handle.runId, {
          decision: 'rejected',
          by: 'terminal',
          ...(reason && { reason }),
        }),
      );
      return;
    }
    if (answer === 'e' || answer === 'edit') {
      const edited = editPlan(runtime, plan ?? handle.state.plan, options);
      if (edited) {
        plan = edited;
        options.stderr.write(`${renderPlanOverview(plan, pc.createColors(Boolean(options.stderr.isTTY)))}\n`);
      }
    }
  }
}

function report(options: ApprovalPromptOptions, counted: boolean): void {
  if (!counted) options.stderr.write('Another front end decided first; its decision stands.\n');
}

function question(reader: Interface, text: string): Promise<string> {
  return new Promise((resolve) => reader.question(text, resolve));
}

/** Opens the plan in $VISUAL / $EDITOR; returns the edited plan once it validates, or undefined. */
function editPlan(
  runtime: Runtime,
  plan: PlanDefinition,
  options: ApprovalPromptOptions,
): PlanDefinition | undefined {
  const directory = mkdtempSync(join(tmpdir(), 'ai-collab-plan-'));
  const file = join(directory, `${plan.name.replace(/[^A-Za-z0-9._-]/g, '_')}.yaml`);
  try {
    writeFileSync(file, planToYaml(plan), { mode: 0o600 });
    const editor = options.environment.VISUAL ?? options.environment.EDITOR ?? 'vi';
    const [command, ...args] = editor.split(/\s+/).filter(Boolean);
    const result = spawnSync(command ?? 'vi', [...args, file], { stdio: 'inherit' });
    if (result.error) {
      options.stderr.write(`Could not start the editor ${editor}: ${result.error.message}; set $EDITOR.\n`);
      return undefined;
    }
    try {
      const agents = agentCatalogOf(runtime.specs.keys());
      const edited = parsePlanText(readFileSync(file, 'utf8'), file, { agents });
      return plan.meta ? { ...edited, meta: plan.meta } : edited;
    } catch (error) {
      if (!isInputError(error)) throw error;
      options.stderr.write(
        `The edited plan is not valid, so it was not taken:\n  ${terminalSafe(error.problems.join('\n  '))}\n`,
      );
      return undefined;
    }
  } finally {
    rmSync(directory, { recursive: true, force: true });
  }
}
