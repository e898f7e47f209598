/**
 * Distinct port ranges for the attempts running at once, so parallel dev servers and tests do not
 * collide: block k is `[base + k × size, base + (k + 1) × size)`. A live attempt holds its block until it
 * ends; an attempt of a step gets the block its step had before when that one is free (stable across
 * retries), else the lowest free one. Processes see it as `AI_COLLAB_PORT_BASE` and `AI_COLLAB_PORT_COUNT`.
 * One allocator per orchestrator process (the blocks of two processes on one machine may overlap).
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
  /** The block each key had last, preferred when it asks again. */
  readonly #lastOf = new Map<string, number>();

  constructor(settings: PortBlockSettings = {}) {
    this.base = settings.base ?? defaultPortBlocks.base;
    this.size = settings.size ?? defaultPortBlocks.size;
    this.#count = Math.floor((65_536 - this.base) / this.size);
  }

  lease(key: string): PortLease {
    const previous = this.#lastOf.get(key);
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
    this.#lastOf.set(key, held);
    // Keys of finished steps are forgotten first, so the map stays as small as what runs.
    if (this.#lastOf.size > 4 * this.#count) this.#lastOf.delete(this.#lastOf.keys().next().value ?? key);
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

  /** Blocks held now (for tests and diagnostics). */
  get inUse(): number {
    return this.#taken.size;
  }
}
