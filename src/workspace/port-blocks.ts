/**
 * Distinct port ranges for the attempts running at once, so parallel dev servers and tests do not
 * collide: block k is `[base + k × size, base + (k + 1) × size)`. A live attempt holds its block until it
 * ends; an attempt of a step gets the block its step had before when that one is free (stable across
 * retries), else the lowest free one. Processes see it as `AI_COLLAB_PORT_BASE` and `AI_COLLAB_PORT_COUNT`.
 * One allocator per orchestrator process (the blocks of two processes on one machine may overlap). The
 * blocks a run's steps had are forgotten when the run ends: a server that runs plan after plan would
 * otherwise keep one entry per step it ever ran (up to the cap, 1,820 with the defaults).
 */
import { WorkspaceError } from './workspace-error.js';

export interface PortBlockSettings {
  /** First port of block 0. @default 20000 */
  base?: number;
  /** Ports per block. @default 100 */
  size?: number;
}

export const defaultPortBlocks = { base: 20_000, size: 100 } as const;

export interface PortLease {
  base: number;
  size: number;
  env: Record<string, string>;
  release(): void;
}

export class PortBlocks {
  readonly base: number;
  readonly size: number;
  readonly #count: number;
  readonly #taken = new Set<number>();
  /** The block each step had last, by run and step id, preferred when it asks again. */
  readonly #lastOf = new Map<string, Map<string, number>>();

  constructor(settings: PortBlockSettings = {}) {
    this.base = settings.base ?? defaultPortBlocks.base;
    this.size = settings.size ?? defaultPortBlocks.size;
    this.#count = Math.floor((65_536 - this.base) / this.size);
  }

  lease(runId: string, stepId: string): PortLease {
    const previous = this.#lastOf.get(runId)?.get(stepId);
    let block = previous !== undefined && !this.#taken.has(previous) ? previous : undefined;
    for (let index = 0; block === undefined && index < this.#count; index++) {
      if (!this.#taken.has(index)) block = index;
    }
    if (block === undefined) {
      throw new WorkspaceError(
        'PORTS_EXHAUSTED',
        `all ${this.#count} port blocks of ${this.size} from ${this.base} are in use; lower workspace.ports.size or the concurrency`,
      );
    }
    const held = block;
    this.#taken.add(held);
    this.#remember(runId, stepId, held);
    const base = this.base + held * this.size;
    let released = false;
    return {
      base,
      size: this.size,
      env: { AI_COLLAB_PORT_BASE: String(base), AI_COLLAB_PORT_COUNT: String(this.size) },
      release: () => {
        if (released) return;
        released = true;
        this.#taken.delete(held);
      },
    };
  }

  /** The run ended: its steps' blocks are no longer worth keeping (a resumed run just takes free ones). */
  forgetRun(runId: string): void {
    this.#lastOf.delete(runId);
  }

  /** Steps whose last block is remembered: a sum over the runs that have not ended, a few at a time. */
  get remembered(): number {
    let steps = 0;
    for (const runSteps of this.#lastOf.values()) steps += runSteps.size;
    return steps;
  }

  #remember(runId: string, stepId: string, block: number): void {
    let steps = this.#lastOf.get(runId);
    if (!steps) {
      steps = new Map();
      this.#lastOf.set(runId, steps);
    }
    steps.set(stepId, block);
    // Runs that never end here (interrupted, or their end missed) must not grow the map without bound: the
    // oldest run's steps go first.
    for (const oldest of this.#lastOf.keys()) {
      if (oldest === runId || this.remembered <= 4 * this.#count) break;
      this.#lastOf.delete(oldest);
    }
  }

  /** Blocks held now (for tests and diagnostics). */
  get inUse(): number {
    return this.#taken.size;
  }
}
