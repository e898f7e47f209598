#!/usr/bin/env node
// Runs the test suite with node:test. Node 20 takes paths, not globs, so the files are listed here.
// Unit tests run in parallel; tests under test/integration start real processes and time them, so they
// run one file at a time to keep their measurements honest on a 2-core machine.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.filter((arg) => !arg.startsWith('--'));

function find(directory) {
  const found = [];
  for (const name of readdirSync(directory)) {
    const path = join(directory, name);
    if (name === 'node_modules') continue;
    if (statSync(path).isDirectory()) found.push(...find(path));
    else if (name.endsWith('.test.ts')) found.push(path);
  }
  return found.sort();
}

const all = find(join(root, 'test')).map((file) => relative(root, file));
const selected = only.length > 0 ? all.filter((file) => only.some((filter) => file.includes(filter))) : all;
const unit = selected.filter((file) => !file.startsWith('test/integration/'));
const integration = selected.filter((file) => file.startsWith('test/integration/'));

function run(files, concurrency) {
  if (files.length === 0) return 0;
  const result = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', `--test-concurrency=${concurrency}`, '--test-reporter=spec', ...files],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: process.env.NO_COLOR ?? '' } },
  );
  return result.status ?? 1;
}

const unitStatus = run(unit, 2);
const integrationStatus = run(integration, 1);
process.exit(unitStatus || integrationStatus);
