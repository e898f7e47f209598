/**
 * Concurrency caps shared by every run in the process: a global cap and one per agent. Runs join the pool
 * as claimants; whenever room may have appeared (a slot released, a step became ready) the pool hands the
 * free slots out one at a time, round-robin: across tenants (the users a team's coordinator serves; a run
 * without one is a tenant of its own), then across the runs of a tenant. So a run submitted last waits for
 * at most one step of each run ahead of it, not for all of their steps (first-in, first-out, kept as
 * `fairness: 'fifo'` for the benchmark's baseline). Within a run, the run itself picks which step starts
 * (critical path first).
 */

export interface SlotPoolOptions {
  /** Steps running at once across all runs; unlimited when absent. */
  global?: number;
  /** Steps running at once per agent name. */
  perAgent?: Readonly<Record<string, number>>;
  /** How free slots are shared between runs; round-robin unless told otherwise. */
  fairness?: SlotFairness;
}

/** `fifo` always offers a free slot to the earliest-joined run first (the behaviour before round-robin). */
export type SlotFairness = 'round-robin' | 'fifo';

/** One run, from the pool's side. */
export interface SlotClaimant {
  /** Identifies the run among the claimants of its tenant. */
  readonly key: string;
  /** Who the run is for; runs with no tenant are each their own. */
  readonly tenant?: string | undefined;
  /**
   * Starts at most one ready step that may start now (`hasRoom`), with a slot taken by `acquire`; says
   * whether it did. Called only by the pool, when it is this claimant's turn.
   */
  startOne(): boolean;
}

interface Tenant {
  readonly id: string;
  /** The tenant's runs in the order of their turns: the one served last is at the back. */
  readonly claimants: SlotClaimant[];
}

export class SlotPool {
  readonly #global: number;
  readonly #perAgent: Readonly<Record<string, number>>;
  readonly #fairness: SlotFairness;
  #inUse = 0;
  #inUseByAgent = new Map<string, number>();
  /** Tenants in the order of their turns: the one served last is at the back. */
  readonly #tenants: Tenant[] = [];
  /** Goes to the back of the line when the next turn begins. */
  #lastServed: { tenant: Tenant; claimant: SlotClaimant } | undefined;
  #dispatching = false;
  #dispatchAgain = false;

  constructor(options: SlotPoolOptions = {}) {
    this.#global = options.global ?? Number.POSITIVE_INFINITY;
    this.#perAgent = options.perAgent ?? {};
    this.#fairness = options.fairness ?? 'round-robin';
  }

  get inUse(): number {
    return this.#inUse;
  }

  /** The global cap; Infinity when unlimited. */
  get capacity(): number {
    return this.#global;
  }

  hasRoom(agent: string): boolean {
    if (this.#inUse >= this.#global) return false;
    const cap = this.#perAgent[agent];
    return cap === undefined || (this.#inUseByAgent.get(agent) ?? 0) < cap;
  }

  /** Takes a slot (claimants check `hasRoom` first); the returned function gives it back, once. */
  acquire(agent: string): () => void {
    this.#inUse++;
    this.#inUseByAgent.set(agent, (this.#inUseByAgent.get(agent) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inUse--;
      this.#inUseByAgent.set(agent, (this.#inUseByAgent.get(agent) ?? 1) - 1);
      this.dispatch();
    };
  }

  /** Adds a run to the rotation, at the back: the runs already waiting have their turns first. */
  join(claimant: SlotClaimant): () => void {
    const tenantId =
      claimant.tenant === undefined ? `run\u0000${claimant.key}` : `tenant\u0000${claimant.tenant}`;
    let tenant = this.#tenants.find((candidate) => candidate.id === tenantId);
    if (!tenant) {
      tenant = { id: tenantId, claimants: [] };
      this.#tenants.push(tenant);
    }
    tenant.claimants.push(claimant);
    const joined = tenant;
    return () => this.#leave(joined, claimant);
  }

  /** Hands out free slots, one per turn, until no claimant can start anything more. */
  dispatch(): void {
    if (this.#dispatching) {
      // A slot released while a claimant starts a step (a launch that failed at once): go round again.
      this.#dispatchAgain = true;
      return;
    }
    this.#dispatching = true;
    try {
      do {
        this.#dispatchAgain = false;
        while (this.#inUse < this.#global && this.#grantOne()) {}
      } while (this.#dispatchAgain);
    } finally {
      this.#dispatching = false;
    }
  }

  /**
   * One turn: the first tenant in line with a run that can start a step starts it. The tenant (and the run
   * within it) goes to the back of the line when the next turn begins, so behind any run that joined
   * meanwhile: two runs started one after the other alternate. FIFO leaves the line as it is.
   */
  #grantOne(): boolean {
    const last = this.#lastServed;
    if (last) {
      this.#lastServed = undefined;
      moveToBack(last.tenant.claimants, last.claimant);
      moveToBack(this.#tenants, last.tenant);
    }
    for (const tenant of this.#tenants) {
      for (const claimant of tenant.claimants) {
        if (!claimant.startOne()) continue;
        if (this.#fairness === 'round-robin') this.#lastServed = { tenant, claimant };
        return true;
      }
    }
    return false;
  }

  #leave(tenant: Tenant, claimant: SlotClaimant): void {
    const index = tenant.claimants.indexOf(claimant);
    if (index < 0) return;
    tenant.claimants.splice(index, 1);
    if (tenant.claimants.length > 0) return;
    const tenantIndex = this.#tenants.indexOf(tenant);
    if (tenantIndex >= 0) this.#tenants.splice(tenantIndex, 1);
  }
}

/** Does nothing for an item no longer in line (a run that left). */
function moveToBack<T>(line: T[], item: T): void {
  const index = line.indexOf(item);
  if (index < 0 || index === line.length - 1) return;
  line.splice(index, 1);
  line.push(item);
}
