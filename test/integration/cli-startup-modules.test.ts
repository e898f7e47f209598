/**
 * A command loads only what it uses: start-up time is mostly loading modules, and a run of shell steps
 * paid for every adapter, the planner and the screen-drawing packages of the live view before its first
 * step started. Each test runs the real command line and lists the modules it loaded.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import test from 'node:test';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const moduleLog = new URL('../support/module-log.mjs', import.meta.url).href;

/**
 * Runs the command line with the module log preloaded; returns the src/ and package paths it loaded (what it
 * printed is left in stdout.log).
 */
async function modulesLoadedBy(args: string[], cwd: string): Promise<string[]> {
  const log = join(cwd, 'modules.log');
  writeFileSync(log, '');
  const result = await runCli(args, {
    cwd,
    env: { AI_COLLAB_TEST_MODULE_LOG: log },
    nodeArgs: ['--import', moduleLog],
  });
  assert.equal(result.code, 0, result.stderr);
  writeFileSync(join(cwd, 'stdout.log'), result.stdout);
  return readFileSync(log, 'utf8')
    .split('\n')
    .filter((url) => url.startsWith('file:'))
    .map((url) => url.replace(/^.*?\/(src|node_modules)\//, '$1/'));
}

function loadedUnder(modules: readonly string[], prefixes: readonly string[]): string[] {
  return modules.filter((path) => prefixes.some((prefix) => path.startsWith(prefix)));
}

test('--version loads the argument parser and nothing of the engine, agents, store or config', async () => {
  const cwd = tempDir('startup-version-');
  const modules = await modulesLoadedBy(['--version'], cwd);
  assert.ok(modules.includes('src/cli/main.ts'), 'the entry point was loaded (the log works)');
  assert.deepEqual(
    loadedUnder(modules, [
      'src/engine/',
      'src/agents/',
      'src/store/',
      'src/config/',
      'src/workspace/',
      'src/review/',
      'node_modules/zod/',
      'node_modules/yaml/',
    ]),
    [],
  );
});

test('a run of shell steps loads no other adapter, no model client, no planner and no live view', async () => {
  const cwd = tempDir('startup-run-');
  writeFileSync(join(cwd, 'plan.yaml'), 'name: shell only\nsteps:\n  - id: one\n    run: "true"\n');
  const modules = await modulesLoadedBy(['run', 'plan.yaml', '--yes'], cwd);
  assert.ok(modules.includes('src/agents/shell/shell-agent.ts'), 'the shell adapter ran the step');
  assert.deepEqual(
    loadedUnder(modules, [
      'src/agents/claude/claude-agent.ts',
      'src/agents/codex/codex-agent.ts',
      'src/agents/gemini/gemini-agent.ts',
      'src/agents/acp/acp-agent.ts',
      'src/agents/openai/chat-client.ts',
      'src/plan/planner/run-planner.ts',
      'src/cli/output/live-view.ts',
      'src/server/',
      'src/mcp/',
      'node_modules/log-update/',
    ]),
    [],
  );
});

test('runs and status read the store without loading the engine, the agents or the workspace', async () => {
  const cwd = tempDir('startup-runs-');
  writeFileSync(join(cwd, 'plan.yaml'), 'name: shell only\nsteps:\n  - id: one\n    run: "true"\n');
  await modulesLoadedBy(['run', 'plan.yaml', '--yes'], cwd);
  const runs = await modulesLoadedBy(['runs', '--json'], cwd);
  assert.ok(runs.includes('src/cli/commands/runs-command.ts'), 'the command was loaded (the log works)');
  const runId = /"runId":"([^"]+)"/.exec(readFileSync(join(cwd, 'stdout.log'), 'utf8'))?.[1];
  assert.ok(runId, 'runs listed the run');
  const status = await modulesLoadedBy(['status', runId], cwd);
  const heavy = [
    'src/engine/engine.ts',
    'src/cli/runtime.ts',
    'src/workspace/',
    'src/review/review-swarm.ts',
    'src/agents/shell/shell-agent.ts',
    'src/agents/openai/openai-agent.ts',
  ];
  assert.deepEqual(loadedUnder(runs, heavy), []);
  assert.deepEqual(loadedUnder(status, heavy), []);
});
