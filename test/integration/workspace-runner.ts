/**
 * A stand-alone orchestrator for the crash tests: the engine with the workspace hooks and a durable store,
 * as the CLI will wire them. `run <repo> <plan.json>` or `resume <repo> <runId>`; JSON lines on stdout.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { PlanDefinition } from '../../src/protocol/plan-types.js';
import { workspaceEngine } from './workspace-support.js';

const [mode, repo, argument] = process.argv.slice(2);
if (!repo || !argument || (mode !== 'run' && mode !== 'resume'))
  throw new Error('usage: run|resume <repo> <plan.json|runId>');
const setup = workspaceEngine(repo, { databaseFile: join(repo, '.ai-collab', 'state.db') });
const say = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value)}\n`);
};
if (mode === 'run') {
  const plan = JSON.parse(readFileSync(argument, 'utf8')) as PlanDefinition;
  const created = setup.engine.createRun({ plan, workspace: repo, planFile: null });
  say({ runId: created.runId });
  say({ isolation: await setup.hooks.startRun({ runId: created.runId, workspace: repo, plan }) });
  const state = await setup.engine.startRun(created.runId).done;
  say({ status: state.status, summary: await setup.hooks.finishRun(state) });
} else {
  const handle = await setup.engine.resumeRun(argument);
  const state = await handle.done;
  say({ status: state.status, summary: await setup.hooks.finishRun(state) });
}
await setup.close();
