/**
 * Holds the leases of the runs this engine executes: takes a run's lease before anything of it runs
 * (refusing, with who holds it and until when, while another process's lease is live), renews it on the
 * clock while the run goes, and gives it up when the run ends here. A lease that expired, or whose holder
 * is provably dead (this machine's boot, its process gone), is taken over at once.
 */
import { randomUUID } from 'node:crypto';
import { readBootId } from '../agents/process/proc-table.js';
import type { OwnerIdentity, RunRecord } from '../store/event-store.js';
import type { RunLease, RunLeases } from '../store/run-leases.js';
import type { Clock } from '../support/clock.js';
import { InputError } from '../support/errors.js';
import type { Logger } from '../support/logger.js';

export interface LeaseSettings {
  /** How long a lease lasts without renewal: how long a dead coordinator on another machine blocks a run. */
  ttlMs: number;
  /** How often the holder renews (a few times per `ttlMs`, so one slow write does not lose it). */
  renewEveryMs: number;
}

export const defaultLeaseSettings: LeaseSettings = { ttlMs: 30_000, renewEveryMs: 10_000 };

export interface LeaseKeeperDeps {
  leases: RunLeases;
  clock: Clock;
  logger: Logger;
  owner: OwnerIdentity;
  /** Whether that very process is still running here (pid, start time and boot id). */
  isAlive(owner: OwnerIdentity): boolean;
  /** `defaultLeaseSettings` when absent. */
  lease?: LeaseSettings | undefined;
}

export interface Claimed {
  /** The lease this claim took over (expired, or its holder dead), if there was one. */
  previous: RunLease | undefined;
}

export class RunLeaseKeeper {
  readonly #deps: LeaseKeeperDeps;
  readonly #settings: LeaseSettings;
  readonly #holderId = randomUUID();

  constructor(deps: LeaseKeeperDeps) {
    this.#deps = deps;
    this.#settings = deps.lease ?? defaultLeaseSettings;
  }

  /** Takes the run's lease or throws `RUN_OWNED` (exit 2) naming the process that holds it. */
  claim(runId: string): Claimed {
    const { leases, clock, owner } = this.#deps;
    const held = leases.get(runId);
    const replaces = held && this.#provablyDead(held.owner) ? held.holderId : undefined;
    const outcome = leases.acquire({
      runId,
      holderId: this.#holderId,
      owner,
      now: clock.now(),
      ttlMs: this.#settings.ttlMs,
      ...(replaces !== undefined && { replaces }),
    });
    if (!outcome.acquired) throw leaseRefusal(outcome.current, clock.now(), this.#settings);
    return { previous: outcome.previous };
  }

  /**
   * Takes the lease of a run this process did not start (resume, retry). A run with no lease to take over
   * was last executed by an ai-collab from before leases: only its owner's liveness tells whether it runs.
   */
  takeOver(record: RunRecord): void {
    const { previous } = this.claim(record.runId);
    if (previous || !record.owner || !this.#deps.isAlive(record.owner)) return;
    this.release(record.runId);
    throw new InputError(
      'RUN_OWNED',
      `run ${record.runId} is being executed by process ${record.owner.pid}; stop it before resuming`,
    );
  }

  /** Runs what follows a claim; the lease is given back if that throws (the run did not start here). */
  async releasedOnFailure<T>(runId: string, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      this.release(runId);
      throw error;
    }
  }

  /** Gives the lease up (a claim that went no further, or a run that ended). */
  release(runId: string): void {
    try {
      this.#deps.leases.release(runId, this.#holderId);
    } catch (error) {
      // It expires on its own; a failed release only delays the next coordinator by the lease's length.
      this.#deps.logger.warn('could not release the run lease', { runId, error });
    }
  }

  /**
   * Renews the lease until the returned function is called (which also releases it). `onLost` runs once,
   * with the reason to stop the run, if another process took it over: this one then stopped renewing for
   * longer than the lease lasts, and must stop at once.
   */
  keep(runId: string, onLost: (reason: string) => void): () => void {
    const { clock, leases, logger } = this.#deps;
    let cancel = (): void => {};
    let stopped = false;
    const renew = (): void => {
      if (stopped) return;
      let renewed: boolean;
      try {
        renewed = leases.renew(runId, this.#holderId, clock.now(), this.#settings.ttlMs);
      } catch (error) {
        // A busy database: the lease still has most of its time, try again at the next renewal.
        logger.warn('could not renew the run lease', { runId, error });
        renewed = true;
      }
      if (!renewed) {
        stopped = true;
        const taker = leases.get(runId)?.owner;
        const by = taker ? `process ${taker.pid} on ${taker.host}` : 'another ai-collab process';
        logger.warn('run lease lost', { runId, by });
        onLost(`${by} took the run over: this process's lease had expired`);
        return;
      }
      cancel = clock.setTimer(this.#settings.renewEveryMs, renew);
    };
    cancel = clock.setTimer(this.#settings.renewEveryMs, renew);
    return () => {
      if (!stopped) {
        stopped = true;
        cancel();
      }
      this.release(runId);
    };
  }

  #provablyDead(owner: OwnerIdentity): boolean {
    return owner.bootId === readBootId() && !this.#deps.isAlive(owner);
  }
}

function leaseRefusal(lease: RunLease, now: number, settings: LeaseSettings): InputError {
  const { pid, host } = lease.owner;
  const seconds = Math.max(1, Math.ceil((lease.expiresAt - now) / 1_000));
  return new InputError(
    'RUN_OWNED',
    `run ${lease.runId} is being executed by process ${pid} on ${host}; its lease expires at ` +
      `${new Date(lease.expiresAt).toISOString()} (in ${seconds} s) unless that process renews it ` +
      `(every ${Math.round(settings.renewEveryMs / 1_000)} s while it runs)`,
    [
      `stop that process (Ctrl-C, or kill ${pid} on ${host}), or wait for the lease to expire, then run: ai-collab resume ${lease.runId}`,
    ],
  );
}
