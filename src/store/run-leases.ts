/**
 * Run ownership as a lease: the process executing a run holds a row naming it (owner id, host, pid) with an
 * expiry it keeps pushing forward. Another process may take the run only once the lease has expired, or
 * when it has proved the holder dead. Every change is a compare-and-swap, so two processes racing for one
 * run cannot both win.
 */
import type { OwnerIdentity } from './event-store.js';

export interface RunLease {
  runId: string;
  /** Random per holding engine: tells two engines of one process apart, and a holder from its successor. */
  holderId: string;
  owner: OwnerIdentity;
  acquiredAt: number;
  /** Epoch ms after which anyone may take the run over. */
  expiresAt: number;
}

export interface LeaseRequest {
  runId: string;
  holderId: string;
  owner: OwnerIdentity;
  now: number;
  ttlMs: number;
  /** A holder the caller has proved dead (same machine, process gone): taken over even before expiry. */
  replaces?: string;
}

export type LeaseOutcome =
  /** `previous`: the lease that was there (expired, or of a holder proved dead), if any. */
  { acquired: true; previous: RunLease | undefined } | { acquired: false; current: RunLease };

export interface RunLeases {
  get(runId: string): RunLease | undefined;
  /** Takes or renews the lease: free, expired at `now`, already the requester's, or of `replaces`. */
  acquire(request: LeaseRequest): LeaseOutcome;
  /** Pushes the expiry on; false when the lease is no longer `holderId`'s (another process took the run). */
  renew(runId: string, holderId: string, now: number, ttlMs: number): boolean;
  /** Gives the lease up, if it is still `holderId`'s. */
  release(runId: string, holderId: string): void;
}
