/**
 * A durable list of the long-lived processes an orchestrator started (pool workers), so that after the
 * orchestrator is killed the next one can find and stop them. Identity is pid plus start time plus boot.
 */
import type { ProcessIdentity } from './proc-table.js';

export interface RegisteredProcess extends ProcessIdentity {
  pgid: number;
  /** The orchestrator that owns it. */
  ownerPid: number;
  ownerStartTime: string;
  /** Environment entry its descendants inherit (`NAME=value`). */
  tag: string;
  agent: string;
}

export interface ProcessRegistry {
  add(process: RegisteredProcess): void;
  remove(identity: ProcessIdentity): void;
  /** Everything recorded, by any owner. */
  list(): RegisteredProcess[];
}

export class MemoryProcessRegistry implements ProcessRegistry {
  #entries = new Map<string, RegisteredProcess>();

  add(process: RegisteredProcess): void {
    this.#entries.set(keyOf(process), process);
  }

  remove(identity: ProcessIdentity): void {
    this.#entries.delete(keyOf(identity));
  }

  list(): RegisteredProcess[] {
    return [...this.#entries.values()];
  }
}

function keyOf(identity: ProcessIdentity): string {
  return `${identity.bootId}/${identity.pid}/${identity.startTime}`;
}
