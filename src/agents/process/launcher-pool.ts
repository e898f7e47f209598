/**
 * The resident step launchers of this orchestrator: one per step running at once, kept idle between
 * steps. Used only where each step has a cgroup of its own (see cgroup.ts), because a cgroup's emptiness
 * is what says a step's output is complete; elsewhere steps are started with node's `spawn`.
 */
import { existsSync } from 'node:fs';
import { type Containment, processContainment } from './cgroup.js';
import { perlPath, StepLauncher } from './step-launcher.js';

/** Set to `spawn` to start every step with node's `spawn` instead of a resident launcher. */
export const launcherVariable = 'AI_COLLAB_LAUNCHER';

export type LauncherAvailability = { kind: 'resident' } | { kind: 'spawn'; reason: string };

/** Idle launchers kept beyond this are closed: more steps than this rarely run at once. */
const maxIdle = 64;

const idle: StepLauncher[] = [];
let checked: LauncherAvailability | undefined;
let broken: string | undefined;

/** How steps are started here, and why (for `doctor`). */
export function stepLauncherAvailability(
  environment: NodeJS.ProcessEnv = process.env,
  containment: Containment = processContainment(environment),
): LauncherAvailability {
  if (broken !== undefined) return { kind: 'spawn', reason: broken };
  if (environment[launcherVariable] === 'spawn') {
    return { kind: 'spawn', reason: `${launcherVariable}=spawn` };
  }
  if (containment.kind !== 'cgroup') return { kind: 'spawn', reason: 'it needs cgroup containment' };
  checked ??= existsSync(perlPath) ? { kind: 'resident' } : { kind: 'spawn', reason: `no ${perlPath}` };
  return checked;
}

/** An idle launcher, a new one, or undefined when steps are to be started with `spawn`. */
export function acquireStepLauncher(containment: Containment): StepLauncher | undefined {
  if (stepLauncherAvailability(process.env, containment).kind !== 'resident') return undefined;
  for (let launcher = idle.pop(); launcher; launcher = idle.pop()) {
    if (launcher.alive) return launcher;
  }
  return new StepLauncher();
}

/** Gives a launcher back after its step; one that cannot serve another step is closed. */
export function releaseStepLauncher(launcher: StepLauncher, reusable: boolean): void {
  if (reusable && launcher.alive && idle.length < maxIdle) {
    launcher.rest();
    idle.push(launcher);
  } else launcher.close();
}

/** A launcher that could not start any step: later steps use `spawn`, and `doctor` says why. */
export function markStepLaunchersBroken(reason: string): void {
  broken ??= reason;
}
