/**
 * The agent's one pool of warm app-server workers. One pool, not one per directory: each step's thread
 * carries its own cwd. One step per worker at a time: a server can run several threads at once (measured:
 * four concurrent turns finished together), but `turn/interrupt` leaves a turn's background commands
 * running, so cancelling one step cleanly means stopping its process — which must not take other steps
 * with it. It also keeps a crash or a memory limit to one step.
 */

import type { AgentDeps } from '../agent-deps.js';
import { poolTagName } from '../agent-deps.js';
import { agentPoolOptions } from '../pool/agent-pool-options.js';
import { ProcessPool } from '../pool/process-pool.js';
import { readProcEntry } from '../process/proc-table.js';
import { CodexAppServerWorker } from './codex-app-server-worker.js';
import type { CodexSpec } from './codex-spec.js';

export interface CodexPool {
  readonly pool: ProcessPool<CodexAppServerWorker>;
  /**
   * Closes the pool and waits until every server is gone, including those still starting: the pool's own
   * `close` returns before a spawn in flight has finished (it retires such a worker once it is up), and a
   * server that outlives `close` keeps writing to CODEX_HOME and keeps the orchestrator's event loop alive.
   */
  close(): Promise<void>;
}

export function createCodexPool(
  spec: CodexSpec,
  deps: AgentDeps,
  options: {
    env: Record<string, string>;
    overrides: readonly string[];
    /** Sets this pool's process tags apart from the agent's other pools (one per step environment). */
    tagSuffix?: string;
  },
): CodexPool {
  const { clock, logger, processes } = deps;
  const owner = readProcEntry(process.pid);
  const suffix = options.tagSuffix !== undefined ? `~${options.tagSuffix}` : '';
  const base = `${process.pid}.${owner?.startTime ?? '0'}/${spec.name}${suffix}`;
  // Each worker gets a tag of its own: a tree kill stops every process whose tag starts with the one it is
  // given, so with one tag for the pool, stopping one worker stopped all those started after it (seen:
  // every recycle took the pre-warmed spare down too). The final `.` keeps `/1.` from matching `/10.`.
  let spawned = 0;
  const starting = new Set<Promise<CodexAppServerWorker>>();
  const live = new Set<CodexAppServerWorker>();
  const spawn = (): Promise<CodexAppServerWorker> => {
    const started = CodexAppServerWorker.start({
      spec,
      cwd: deps.workspace,
      env: options.env,
      overrides: options.overrides,
      tag: { name: poolTagName, value: `${base}/${++spawned}.` },
      clock,
      killGraceMs: deps.killGraceMs,
    });
    starting.add(started);
    started.then(
      (worker) => {
        starting.delete(started);
        live.add(worker);
        void worker.exited.then(() => live.delete(worker));
      },
      () => starting.delete(started),
    );
    return started;
  };
  const pool = new ProcessPool<CodexAppServerWorker>(agentPoolOptions(spec, deps.killGraceMs), {
    clock,
    logger,
    spawn,
    onWorkerStarted: (worker) =>
      processes.add({
        ...worker.process.root,
        tag: worker.process.root.tag ?? `${poolTagName}=${base}/`,
        ownerPid: process.pid,
        ownerStartTime: owner?.startTime ?? '0',
        agent: spec.name,
      }),
    onWorkerStopped: (worker) => processes.remove(worker.process.root),
  });
  return {
    pool,
    close: async () => {
      await pool.close();
      await Promise.all([...starting].map((started) => started.catch(() => undefined)));
      await Promise.all([...live].map((worker) => worker.stop(deps.killGraceMs)));
    },
  };
}
