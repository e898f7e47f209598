import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import Database from 'better-sqlite3';
import { z } from 'zod';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

const plan = 'steps:\n  - { id: hello, run: echo hi }\n';

/**
 * Makes files unwritable in a way that binds root too (tests run as root in CI, where chmod binds nobody):
 * `chattr +i` (immutable: EPERM for every user) as root, chmod 0555/0444 otherwise. Undone after the test.
 */
async function whileFrozen(paths: string[], body: () => Promise<void>): Promise<void> {
  const root = process.getuid?.() === 0;
  if (root) {
    const result = spawnSync('chattr', ['+i', ...paths], { encoding: 'utf8' });
    assert.equal(
      result.status,
      0,
      `chattr +i needs CAP_LINUX_IMMUTABLE and a file system that has it: ${result.stderr}`,
    );
  } else {
    for (const path of paths) chmodSync(path, statSync(path).isDirectory() ? 0o555 : 0o444);
  }
  try {
    await body();
  } finally {
    if (root) spawnSync('chattr', ['-i', ...paths]);
    else for (const path of paths) chmodSync(path, statSync(path).isDirectory() ? 0o700 : 0o600);
  }
}

async function workspaceWithOneRun(): Promise<{ workspace: string; runId: string; stateDir: string }> {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  const result = await runCli(['run', 'plan.yaml', '--yes', '--json'], { cwd: workspace });
  assert.equal(result.code, 0, result.stderr);
  const { runId } = JSON.parse(result.stdout) as { runId: string };
  return { workspace, runId, stateDir: join(workspace, '.ai-collab') };
}

function assertOneLineStoreError(stderr: string, file: RegExp): void {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, stderr);
  assert.match(lines[0] ?? '', /^ai-collab: cannot (write|create) the state database \S+state\.db: /);
  assert.match(lines[0] ?? '', file);
  assert.match(lines[0] ?? '', /--db PATH/, 'says what to do');
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('with the state directory and its database frozen, runs and status read it; run and resume fail in one line', async () => {
  const { workspace, runId, stateDir } = await workspaceWithOneRun();
  // A writer left running keeps the -wal and -shm in place: the case that once ended in SIGBUS.
  const writer = new Database(join(stateDir, 'state.db'));
  writer.prepare('SELECT COUNT(*) FROM events').get();
  const files = readdirSync(stateDir)
    .filter((name) => name.startsWith('state.db'))
    .map((name) => join(stateDir, name));
  assert.ok(
    files.some((file) => file.endsWith('-shm')),
    'the -shm exists',
  );
  try {
    await whileFrozen([stateDir, ...files], () => readOnlyChecks(workspace, runId));
  } finally {
    writer.close();
  }
});

async function readOnlyChecks(workspace: string, runId: string): Promise<void> {
  const runs = await runCli(['runs', '--json'], { cwd: workspace });
  assert.equal(runs.code, 0, runs.stderr);
  assert.equal(runs.signal, null);
  assert.deepEqual(
    (JSON.parse(runs.stdout) as Array<{ runId: string; status: string }>).map((run) => [
      run.runId,
      run.status,
    ]),
    [[runId, 'succeeded']],
  );
  const status = await runCli(['status', runId], { cwd: workspace });
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /hello/);

  const run = await runCli(['run', 'plan.yaml', '--yes'], { cwd: workspace });
  assert.equal(run.signal, null);
  assert.equal(run.code, 1);
  assertOneLineStoreError(run.stderr, /state\.db/);
  const resume = await runCli(['resume', runId], { cwd: workspace });
  assert.equal(resume.code, 1);
  assertOneLineStoreError(resume.stderr, /state\.db/);
}

test('run names the directory it cannot create when the state would go under a frozen folder', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  const parent = join(tempDir(), 'frozen');
  mkdirSync(parent);
  await whileFrozen([parent], async () => {
    const result = await runCli(['run', 'plan.yaml', '--yes', '--db', join(parent, 'state', 'state.db')], {
      cwd: workspace,
    });
    assert.equal(result.code, 1);
    assertOneLineStoreError(result.stderr, /frozen is not writable/);
  });
});

test('runs and status in a folder with no state say so and create nothing', async () => {
  const workspace = tempDir();
  const runs = await runCli(['runs'], { cwd: workspace });
  assert.equal(runs.code, 0, runs.stderr);
  assert.match(runs.stdout, /No runs yet/);
  const status = await runCli(['status', 'r-missing'], { cwd: workspace });
  assert.equal(status.code, 2);
  assert.match(status.stderr, /no run r-missing/);
  assert.equal(existsSync(join(workspace, '.ai-collab')), false);
});

test('with --db elsewhere, every file and directory the run leaves in its state directory is private', async () => {
  const workspace = tempDir();
  writeFileSync(join(workspace, 'plan.yaml'), plan);
  const stateDir = join(tempDir(), 'shared', 'dir');
  const result = await runCli(['run', 'plan.yaml', '--yes', '--db', join(stateDir, 'state.db')], {
    cwd: workspace,
  });
  assert.equal(result.code, 0, result.stderr);
  const walk = (directory: string): string[] =>
    readdirSync(directory).flatMap((name) => {
      const path = join(directory, name);
      return statSync(path).isDirectory() ? [path, ...walk(path)] : [path];
    });
  const entries = walk(stateDir);
  assert.ok(
    entries.some((path) => path.endsWith('.log')),
    `the step's log is there: ${entries.join(', ')}`,
  );
  for (const path of [stateDir, ...entries]) {
    const mode = (statSync(path).mode & 0o777).toString(8);
    assert.equal(mode, statSync(path).isDirectory() ? '700' : '600', path);
  }
});

test('when the disk fills as a step succeeds, the terminal never says it succeeded, and resume runs it again', async () => {
  const { workspace, stateDir } = await workspaceWithOneRun();
  writeFileSync(
    join(workspace, 'fill.yaml'),
    'steps:\n  - { id: fill, run: echo ran >> fill-count.txt }\n  - { id: after, needs: [fill], run: "true" }\n',
  );
  // A trigger in the real database aborts the commit that carries `fill`'s success, as a full disk would.
  const admin = new Database(join(stateDir, 'state.db'));
  admin.exec(`CREATE TRIGGER disk_full BEFORE INSERT ON events
    WHEN NEW.type = 'step.succeeded' AND json_extract(NEW.data, '$.stepId') = 'fill'
    BEGIN SELECT RAISE(ABORT, 'database or disk is full'); END`);
  try {
    const run = await runCli(['run', 'fill.yaml', '--yes'], { cwd: workspace });
    assert.equal(run.code, 1);
    assert.doesNotMatch(run.stderr, /fill succeeded/);
    assert.doesNotMatch(run.stderr, /\n\s+at /, 'no stack trace');
    const last = run.stderr.trim().split('\n').at(-1) ?? '';
    assert.match(
      last,
      /^ai-collab: could not write to the state database \S+state\.db \(database or disk is full\)/,
    );
    assert.match(last, /ai-collab resume$/, 'says what to do');
  } finally {
    admin.exec('DROP TRIGGER disk_full');
    admin.close();
  }
  const resume = await runCli(['resume'], { cwd: workspace });
  assert.equal(resume.code, 0, resume.stderr);
  assert.equal(readFileSync(join(workspace, 'fill-count.txt'), 'utf8'), 'ran\nran\n', 'fill ran again');
});

test('a run log edited so an event no longer matches its type: status and retry stop in one line naming the event, exit 2', async () => {
  const { workspace, runId, stateDir } = await workspaceWithOneRun();
  const databaseFile = join(stateDir, 'state.db');
  const admin = new Database(databaseFile);
  const { seq } = z
    .object({ seq: z.number() })
    .parse(admin.prepare("SELECT seq FROM events WHERE run_id = ? AND type = 'step.succeeded'").get(runId));
  admin
    .prepare("UPDATE events SET data = json_set(data, '$.durationMs', 'slow') WHERE run_id = ? AND seq = ?")
    .run(runId, seq);
  const before = admin.prepare('SELECT seq, type, data FROM events WHERE run_id = ? ORDER BY seq').all(runId);
  admin.close();

  for (const args of [
    ['status', runId],
    ['retry', runId, 'hello'],
  ]) {
    const result = await runCli(args, { cwd: workspace });
    assert.equal(result.code, 2, `${args[0]}: ${result.stderr}`);
    const lines = result.stderr.trim().split('\n');
    assert.equal(lines.length, 1, result.stderr);
    assert.equal(
      lines[0],
      `ai-collab: run ${runId}: event ${seq} (step.succeeded) in ${databaseFile} is not a valid step.succeeded: data.durationMs: Invalid input: expected number, received string. The log was edited or damaged; nothing was changed: restore the file from a backup`,
    );
  }
  const reader = new Database(databaseFile, { readonly: true });
  const after = reader.prepare('SELECT seq, type, data FROM events WHERE run_id = ? ORDER BY seq').all(runId);
  reader.close();
  assert.deepEqual(after, before, 'the log is left as it was');
});
