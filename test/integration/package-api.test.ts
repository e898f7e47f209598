/**
 * The package as a user installs it: built with the build's own tsconfig, placed in a project's
 * node_modules, and imported by name through its `exports` map. The public API alone runs a plan with an
 * agent of the user's own.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { tempDir } from '../support/temp-dir.js';

const root = new URL('../..', import.meta.url).pathname;

const consumer = `
import assert from 'node:assert/strict';
import * as api from 'ai-collab';
import { AgentRegistry, agentCatalogOf, Engine, parsePlanText, silentLogger, SlotPool, SqliteStore, systemClock } from 'ai-collab';

const plan = parsePlanText(
  JSON.stringify({ name: 'hello', steps: [{ id: 'greet', agent: 'mine', prompt: 'say hello' }] }),
  'plan.json',
  { agents: agentCatalogOf(['mine']) },
);
const agents = new AgentRegistry();
const prompts = [];
agents.register('mine', { name: 'mine', run: async (task) => { prompts.push(task.step.prompt); return { ok: true, output: 'hello' }; } });
const engine = new Engine({
  store: new SqliteStore({ path: ':memory:', clock: systemClock }),
  clock: systemClock,
  logger: silentLogger,
  random: Math.random,
  agents,
  slots: new SlotPool({}),
  owner: { pid: process.pid, startTime: 'now', bootId: 'boot', host: 'host' },
  stateDir: process.argv[2],
  killGraceMs: 100,
});
const run = engine.createRun({ plan, workspace: process.cwd(), planFile: null });
const state = await engine.startRun(run.runId).done;
assert.equal(state.status, 'succeeded');
assert.equal(state.steps.greet.output, 'hello');
assert.deepEqual(prompts, ['say hello']);
await assert.rejects(import('ai-collab/dist/engine/engine.js'), { code: 'ERR_PACKAGE_PATH_NOT_EXPORTED' });
process.stdout.write(JSON.stringify(Object.keys(api).sort()));
`;

test('the built package imports by name and runs a plan with the public API only', () => {
  const project = tempDir('ai-collab-package-');
  const installed = join(project, 'node_modules', 'ai-collab');
  mkdirSync(installed, { recursive: true });
  copyFileSync(join(root, 'package.json'), join(installed, 'package.json'));
  // The package's own dependencies, as an install would put them beside it.
  symlinkSync(join(root, 'node_modules'), join(installed, 'node_modules'));
  execFileSync(
    process.execPath,
    [
      join(root, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(root, 'tsconfig.build.json'),
      '--outDir',
      join(installed, 'dist'),
    ],
    { stdio: 'inherit' },
  );
  writeFileSync(join(project, 'consumer.mjs'), consumer);
  const stateDir = join(project, 'state');
  const exported = execFileSync(process.execPath, ['consumer.mjs', stateDir], {
    cwd: project,
    encoding: 'utf8',
  });
  assert.deepEqual(JSON.parse(exported), [
    'AgentRegistry',
    'Engine',
    'InputError',
    'OrchestratorError',
    'SlotPool',
    'SqliteStore',
    'agentCatalogOf',
    'createJsonLogger',
    'loadPlanFile',
    'parsePlanText',
    'silentLogger',
    'systemClock',
  ]);
});
