/** What every pooled worker is over its one agent process: its pid, exit, liveness, memory and stop. */
import type { AgentProcess, ProcessExit } from '../process/agent-process.js';
import type { PoolWorker } from './process-pool.js';

export abstract class ProcessWorker implements PoolWorker {
  readonly process: AgentProcess;

  protected constructor(process: AgentProcess) {
    this.process = process;
  }

  get pid(): number {
    return this.process.pid;
  }

  get exited(): Promise<ProcessExit> {
    return this.process.exited;
  }

  get alive(): boolean {
    return this.process.alive;
  }

  treeRssBytes(): number {
    return this.process.treeRssBytes();
  }

  stderrTail(): string {
    return this.process.stderrTail();
  }

  stop(graceMs: number): Promise<void> {
    return this.process.stop(graceMs);
  }
}
