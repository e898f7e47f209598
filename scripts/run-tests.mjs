#!/usr/bin/env node
// Runs the test suite with node:test. Node 20 takes paths, not globs, so the files are listed here.
// Unit tests run in parallel; tests under test/integration start real processes (agent CLIs, servers, git),
// so they run one file at a time: several at once would starve each other on a 2-core machine.
// Skipped tests and suites are counted from a second (TAP) reporter and listed on stderr; in CI (`CI` set,
// not `false`/`0`) any skip fails the run: CI must never go green with a suite skipped.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const args = process.argv.slice(2);
const only = args.filter((arg) => !arg.startsWith('--'));
const ci = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());

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
const reports = mkdtempSync(join(tmpdir(), 'ai-collab-test-report-'));

/** Runs the files; returns the exit status and the skipped tests and suites (TAP `# SKIP` lines). */
function run(name, files, concurrency) {
  if (files.length === 0) return { status: 0, skipped: [] };
  const tap = join(reports, `${name}.tap`);
  const result = spawnSync(
    process.execPath,
    [
      '--import',
      'tsx',
      '--test',
      `--test-concurrency=${concurrency}`,
      '--test-reporter=spec',
      '--test-reporter-destination=stdout',
      '--test-reporter=tap',
      `--test-reporter-destination=${tap}`,
      ...files,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, NO_COLOR: process.env.NO_COLOR ?? '' } },
  );
  return { status: result.status ?? 1, skipped: skippedIn(tap) };
}

/** `ok 3 - name # SKIP reason` at any depth: a skipped suite counts once (node's summary leaves it out). */
function skippedIn(tapFile) {
  let text = '';
  try {
    text = readFileSync(tapFile, 'utf8');
  } catch {
    return [];
  }
  const skipped = [];
  for (const line of text.split('\n')) {
    const match = /^\s*ok \d+ - (.*?) # SKIP ?(.*)$/.exec(line);
    if (match) skipped.push(match[2] ? `${match[1]}: ${match[2]}` : match[1]);
  }
  return skipped;
}

const unitRun = run('unit', unit, 2);
const integrationRun = run('integration', integration, 1);
rmSync(reports, { recursive: true, force: true });
const skipped = [...unitRun.skipped, ...integrationRun.skipped];
process.stderr.write(
  `run-tests: ${skipped.length} skipped (unit ${unitRun.skipped.length}, integration ${integrationRun.skipped.length})\n`,
);
for (const entry of skipped) process.stderr.write(`  skipped ${entry}\n`);
if (ci && skipped.length > 0)
  process.stderr.write('run-tests: CI=true and tests were skipped: install what they need (see above)\n');
process.exit(unitRun.status || integrationRun.status || (ci && skipped.length > 0 ? 1 : 0));
