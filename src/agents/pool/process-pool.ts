/**
 * A supervised pool of warm agent workers for one agent. Workers are started ahead of need, handed to
 * steps without a spawn on the hot path, returned or recycled after use (max uses, max age, memory of the
 * whole process tree), retired when idle too long, replaced after a crash with capped exponential
 * backoff, and the pool stops starting workers when they crash in a loop.
 */
import type { Clock } from '../../support/clock.js';
import type { Logger } from '../../support/logger.js';

export interface PoolWorker {
  readonly pid: number;
  /** Resolves when the worker's process has exited, for whatever reason. */
  readonly exited: Promise<unknown>;
  readonly alive: boolean;
  treeRssBytes(): number;
  stop(graceMs: number): Promise<void>;
  /** What the worker printed on stderr lately, to explain a crash. */
  stderrTail(): string;
}

export interface PoolOptions {
  /** Name used in messages. */
  name: string;
  /** Most workers alive at once (busy plus idle). */
  size: number;
  /** Idle workers kept warm; the pool refills to this many in the background. */
  prewarm: number;
  /** Steps a worker serves before it is replaced. */
  maxUses: number;
  maxAgeMs: number;
  /** Resident memory of the worker's whole process tree; above it the worker is recycled (idle) or stopped (busy). */
  maxMemoryBytes: number;
  /** Idle workers beyond `prewarm` are retired after this long. */
  idleTimeoutMs: number;
  /** First delay before replacing a crashed worker; doubles per crash up to `restartMaxMs`. */
  restartInitialMs: number;
  restartMaxMs: number;
  /** This many crashes within `crashWindowMs` stop the pool: a crash loop is not retried forever. */
  crashLimit: number;
  crashWindowMs: number;
  /** SIGTERM → SIGKILL grace when a worker is stopped. */
  killGraceMs: number;
  /** How often idle and busy workers are checked (memory, age, idle time). */
  superviseEveryMs: number;
}

export interface PoolDeps<W extends PoolWorker> {
  clock: Clock;
  logger: Logger;
  spawn(): Promise<W>;
  /** Told about every worker started and stopped, to record it for orphan reaping after a crash. */
  onWorkerStarted?(worker: W): void;
  onWorkerStopped?(worker: W): void;
}

export interface PoolStats {
  live: number;
  idle: number;
  busy: number;
  spawned: number;
  recycled: number;
  crashed: number;
  /** Acquisitions served by an already-warm worker. */
  warmHits: number;
  /** Acquisitions that had to wait for a spawn. */
  coldStarts: number;
}

export interface PoolLease<W extends PoolWorker> {
  readonly worker: W;
  /** True when the worker was warm (no spawn on the hot path). */
  readonly warm: boolean;
  /** Returns the worker; `reusable: false` retires it (e.g. after a protocol error or an abort). */
  release(options?: { reusable?: boolean }): void;
  /** Why the pool stopped this worker while it was busy (e.g. its memory limit), if it did. */
  stoppedBecause(): string | undefined;
}

export class PoolUnavailableError extends Error {
  override readonly name = 'PoolUnavailableError';
  /** True when retrying later cannot help (crash loop, spawn failure). */
  readonly permanent: boolean;
  constructor(message: string, permanent: boolean) {
    super(message);
    this.permanent = permanent;
  }
}

interface Entry<W> {
  worker: W;
  bornAt: number;
  idleSince: number;
  uses: number;
  busy: boolean;
  retiring: boolean;
  retireReason?: string;
}

interface Waiter<W extends PoolWorker> {
  resolve(lease: PoolLease<W>): void;
  reject(error: Error): void;
}

export class ProcessPool<W extends PoolWorker> {
  readonly #options: PoolOptions;
  readonly #deps: PoolDeps<W>;
  readonly #entries = new Set<Entry<W>>();
  readonly #waiters: Waiter<W>[] = [];
  #starting = 0;
  /** Spawns in flight, so close() can wait for them and stop what they start. */
  readonly #spawning = new Set<Promise<void>>();
  #crashTimes: number[] = [];
  /** The most recent crash reason that carried the process's own words (stderr), for the crash-loop message. */
  #telltaleReason: string | undefined;
  #restartDelayMs: number;
  #restartTimer: (() => void) | undefined;
  #superviseTimer: (() => void) | undefined;
  #failure: PoolUnavailableError | undefined;
  #closed = false;
  #stats = { spawned: 0, recycled: 0, crashed: 0, warmHits: 0, coldStarts: 0 };

  constructor(options: PoolOptions, deps: PoolDeps<W>) {
    this.#options = {
      ...options,
      size: Math.max(1, options.size),
      prewarm: Math.min(options.prewarm, options.size),
    };
    this.#deps = deps;
    this.#restartDelayMs = options.restartInitialMs;
  }

  stats(): PoolStats {
    const entries = [...this.#entries];
    const busy = entries.filter((entry) => entry.busy).length;
    return { live: entries.length, idle: entries.length - busy, busy, ...this.#stats };
  }

  /** Starts `prewarm` workers now and keeps supervising. */
  async warm(): Promise<void> {
    this.#scheduleSupervision();
    await this.#fill();
  }

  /** A worker for one step: a warm one if any, else a new one if the pool has room, else the next one freed. */
  acquire(signal?: AbortSignal): Promise<PoolLease<W>> {
    if (this.#failure) return Promise.reject(this.#failure);
    if (this.#closed)
      return Promise.reject(new PoolUnavailableError(`${this.#options.name}: pool closed`, true));
    this.#scheduleSupervision();
    const idle = this.#takeIdle();
    if (idle) {
      this.#stats.warmHits++;
      void this.#fill();
      return Promise.resolve(this.#lease(idle, true));
    }
    return new Promise<PoolLease<W>>((resolve, reject) => {
      const waiter: Waiter<W> = { resolve, reject };
      this.#waiters.push(waiter);
      signal?.addEventListener(
        'abort',
        () => {
          const index = this.#waiters.indexOf(waiter);
          if (index >= 0) {
            this.#waiters.splice(index, 1);
            reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
          }
        },
        { once: true },
      );
      if (this.#live() < this.#options.size) {
        this.#stats.coldStarts++;
        void this.#spawnOne();
      }
    });
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#restartTimer?.();
    this.#superviseTimer?.();
    for (const waiter of this.#waiters.splice(0))
      waiter.reject(new PoolUnavailableError(`${this.#options.name}: pool closed`, true));
    await Promise.all([...this.#entries].map((entry) => this.#retire(entry, 'closing')));
    // A worker still starting retires itself as soon as it is up (the pool is closed); wait for that.
    await Promise.all([...this.#spawning]);
  }

  #live(): number {
    return this.#entries.size + this.#starting;
  }

  #takeIdle(): Entry<W> | undefined {
    let newest: Entry<W> | undefined;
    for (const entry of this.#entries) {
      if (entry.busy || entry.retiring || !entry.worker.alive) continue;
      // Most recently used first: its caches are warmest, and older ones age out. A worker that has never
      // served a step ranks below every used one, however recently it finished starting.
      if (!newest || rankOf(entry) > rankOf(newest)) newest = entry;
    }
    if (newest) newest.busy = true;
    return newest;
  }

  #lease(entry: Entry<W>, warm: boolean): PoolLease<W> {
    let released = false;
    return {
      worker: entry.worker,
      warm,
      stoppedBecause: () => entry.retireReason,
      release: (options = {}) => {
        if (released) return;
        released = true;
        entry.busy = false;
        entry.uses++;
        entry.idleSince = this.#deps.clock.now();
        const reason =
          options.reusable === false ? 'not reusable after its step' : this.#recycleReason(entry);
        if (reason) void this.#retire(entry, reason).then(() => this.#fill());
        else this.#handOut();
      },
    };
  }

  #recycleReason(entry: Entry<W>): string | undefined {
    const { maxUses, maxAgeMs, maxMemoryBytes } = this.#options;
    if (!entry.worker.alive) return 'exited';
    if (entry.uses >= maxUses) return `served ${entry.uses} steps`;
    if (this.#deps.clock.now() - entry.bornAt >= maxAgeMs) return 'reached its maximum age';
    const rss = entry.worker.treeRssBytes();
    if (rss > maxMemoryBytes) return `uses ${megabytes(rss)} (limit ${megabytes(maxMemoryBytes)})`;
    return undefined;
  }

  /** Gives idle workers to waiting steps, and starts workers for waiters the idle ones cannot cover. */
  #handOut(): void {
    while (this.#waiters.length > 0) {
      const idle = this.#takeIdle();
      if (!idle) break;
      (this.#waiters.shift() as Waiter<W>).resolve(this.#lease(idle, false));
    }
    void this.#fill();
  }

  async #fill(): Promise<void> {
    if (this.#closed || this.#failure || this.#restartTimer) return;
    const idle = [...this.#entries].filter((entry) => !entry.busy && !entry.retiring).length;
    const wanted = Math.max(
      this.#options.prewarm - idle - this.#starting,
      this.#waiters.length - this.#starting,
    );
    const room = this.#options.size - this.#live();
    const spawns = Math.min(wanted, room);
    await Promise.all(Array.from({ length: Math.max(0, spawns) }, () => this.#spawnOne()));
  }

  #spawnOne(): Promise<void> {
    const spawning = this.#startOne();
    this.#spawning.add(spawning);
    void spawning.finally(() => this.#spawning.delete(spawning));
    return spawning;
  }

  async #startOne(): Promise<void> {
    this.#starting++;
    let worker: W;
    try {
      worker = await this.#deps.spawn();
    } catch (error) {
      this.#starting--;
      this.#recordCrash(`could not start: ${error instanceof Error ? error.message : String(error)}`);
      return;
    }
    this.#starting--;
    this.#stats.spawned++;
    const now = this.#deps.clock.now();
    const entry: Entry<W> = { worker, bornAt: now, idleSince: now, uses: 0, busy: false, retiring: false };
    this.#entries.add(entry);
    this.#deps.onWorkerStarted?.(worker);
    worker.exited.then(() => this.#onExit(entry)).catch(() => this.#onExit(entry));
    if (this.#closed) {
      await this.#retire(entry, 'closing');
      return;
    }
    this.#handOut();
  }

  #onExit(entry: Entry<W>): void {
    if (!this.#entries.has(entry)) return;
    this.#entries.delete(entry);
    this.#deps.onWorkerStopped?.(entry.worker);
    if (entry.retiring || this.#closed) return;
    // A worker that dies on its own is a crash: a busy one's step sees the exit through its adapter.
    const tail = entry.worker.stderrTail().trim().split('\n').slice(-3).join(' | ');
    this.#recordCrash(`exited unexpectedly${tail ? `: ${tail}` : ''}`);
  }

  #recordCrash(reason: string): void {
    const now = this.#deps.clock.now();
    this.#stats.crashed++;
    this.#crashTimes = [...this.#crashTimes.filter((at) => now - at < this.#options.crashWindowMs), now];
    if (reason.includes(':')) this.#telltaleReason = reason;
    this.#deps.logger.warn('agent worker crashed', {
      agent: this.#options.name,
      reason,
      recentCrashes: this.#crashTimes.length,
    });
    if (this.#crashTimes.length >= this.#options.crashLimit) {
      this.#failure = new PoolUnavailableError(
        `agent ${this.#options.name} crashed ${this.#crashTimes.length} times within ${Math.round(this.#options.crashWindowMs / 1000)}s and was stopped (last: ${this.#telltaleReason ?? reason}); check it with ai-collab doctor`,
        true,
      );
      for (const waiter of this.#waiters.splice(0)) waiter.reject(this.#failure);
      return;
    }
    if (this.#restartTimer) return;
    const delay = this.#restartDelayMs;
    this.#restartDelayMs = Math.min(this.#options.restartMaxMs, this.#restartDelayMs * 2);
    this.#restartTimer = this.#deps.clock.setTimer(delay, () => {
      this.#restartTimer = undefined;
      void this.#fill();
    });
  }

  async #retire(entry: Entry<W>, reason: string): Promise<void> {
    if (entry.retiring) return;
    entry.retiring = true;
    entry.retireReason = reason;
    if (reason !== 'closing') {
      this.#stats.recycled++;
      this.#deps.logger.debug('agent worker recycled', {
        agent: this.#options.name,
        pid: entry.worker.pid,
        reason,
      });
    }
    await entry.worker.stop(this.#options.killGraceMs);
    if (this.#entries.delete(entry)) this.#deps.onWorkerStopped?.(entry.worker);
  }

  #scheduleSupervision(): void {
    if (this.#superviseTimer || this.#closed) return;
    this.#superviseTimer = this.#deps.clock.setTimer(this.#options.superviseEveryMs, () => {
      this.#superviseTimer = undefined;
      this.#supervise();
      if (this.#entries.size > 0 || this.#waiters.length > 0) this.#scheduleSupervision();
    });
  }

  #supervise(): void {
    const now = this.#deps.clock.now();
    let idleKept = 0;
    const idleNewestFirst = [...this.#entries]
      .filter((entry) => !entry.busy && !entry.retiring)
      .sort((a, b) => b.idleSince - a.idleSince);
    for (const entry of idleNewestFirst) {
      const reason = this.#recycleReason(entry);
      if (reason) void this.#retire(entry, reason).then(() => this.#fill());
      else if (idleKept >= this.#options.prewarm && now - entry.idleSince >= this.#options.idleTimeoutMs) {
        void this.#retire(entry, 'idle too long');
      } else idleKept++;
    }
    // A busy worker over the memory limit is stopped now: waiting for its step to end could take the machine down.
    for (const entry of this.#entries) {
      if (!entry.busy || entry.retiring) continue;
      const rss = entry.worker.treeRssBytes();
      if (rss > this.#options.maxMemoryBytes) {
        this.#deps.logger.warn('agent worker over its memory limit; stopping it', {
          agent: this.#options.name,
          rss,
        });
        void this.#retire(
          entry,
          `memory ${megabytes(rss)} over the limit of ${megabytes(this.#options.maxMemoryBytes)}`,
        );
      }
    }
  }
}

function megabytes(bytes: number): string {
  return `${Math.round(bytes / (1024 * 1024))} MB`;
}

/** Order of preference among idle workers: used ones by when they were last released, then fresh ones. */
function rankOf(entry: { uses: number; idleSince: number }): number {
  return entry.uses > 0 ? entry.idleSince : entry.idleSince - 1e15;
}
