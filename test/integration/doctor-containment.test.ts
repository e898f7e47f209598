import assert from 'node:assert/strict';
import { test } from 'node:test';
import { containmentVariable, processContainment } from '../../src/agents/process/cgroup.js';
import { launcherVariable } from '../../src/agents/process/launcher-pool.js';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/temp-dir.js';

interface DoctorReport {
  containment: { kind: string; detail: string };
  launcher: { kind: string; detail: string };
}

test('doctor says which process containment is active on this machine', async () => {
  const result = await runCli(['doctor', '--json'], { cwd: tempDir() });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as DoctorReport;
  assert.equal(report.containment.kind, processContainment().kind);
  const plain = await runCli(['doctor'], { cwd: tempDir() });
  assert.match(plain.stdout, /Process containment\n {2}(cgroup v2|process group)/);
});

test('doctor names the fallback and why cgroups are not used when they are turned off', async () => {
  const result = await runCli(['doctor', '--json'], {
    cwd: tempDir(),
    env: { [containmentVariable]: 'process-group' },
  });
  assert.equal(result.code, 0, result.stderr);
  const report = JSON.parse(result.stdout) as DoctorReport;
  assert.equal(report.containment.kind, 'process-group');
  assert.match(report.containment.detail, /AI_COLLAB_CONTAINMENT=process-group/);
  assert.match(report.containment.detail, /can outlive its step/);
  assert.equal(report.launcher.kind, 'spawn', 'the launcher needs a cgroup per step');
  assert.match(report.launcher.detail, /needs cgroup containment/);
});

test('doctor says how steps are started, and names the switch that turns the resident launcher off', async () => {
  const plain = await runCli(['doctor'], { cwd: tempDir() });
  assert.match(
    plain.stdout,
    /Step launcher\n {2}(resident: one small \/usr\/bin\/perl process|node's spawn)/,
  );
  const off = await runCli(['doctor', '--json'], { cwd: tempDir(), env: { [launcherVariable]: 'spawn' } });
  const report = JSON.parse(off.stdout) as DoctorReport;
  assert.deepEqual(report.launcher, {
    kind: 'spawn',
    detail: `node's spawn, one fork of the orchestrator per step (${launcherVariable}=spawn)`,
  });
});
