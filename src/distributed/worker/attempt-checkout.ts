/**
 * The worker's side of "git carries the work": one cached bare repository per worker directory (objects
 * fetched once serve every later attempt), a worktree per running attempt at the attempt's start commit,
 * and the agent's work committed on top of the start and pushed to the execution's own result ref.
 *
 * Worktrees are kept for later attempts: git would otherwise be spawned five or more times per attempt
 * (add, stage, compare, remove, prune) even when the agent changed nothing. A worktree goes back to the
 * pool only as a clean checkout (an attempt that changed something is reset and cleaned of every
 * untracked and ignored file after its result is returned), so the next attempt sees exactly what a new
 * worktree would show; one whose attempt was stopped or failed to finish is removed instead.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Git, GitCall } from '../../workspace/git-runner.js';
import { KeyedLock } from '../../workspace/keyed-lock.js';
import { commitWorktree } from '../../workspace/step-changes.js';
import { findAdminDir, type WorktreeHandle, worktreeCall } from '../../workspace/worktrees.js';
import { workRemoteTransport } from '../git-exchange.js';
import { readWorktreeState } from './worktree-state.js';

/** The coordinator's endpoint (http, the token as a header kept off argv) or a named remote's transport. */
const transport = workRemoteTransport;

/** Idle worktrees kept beyond the running ones; more are removed (a burst does not leave a pile). */
const maxIdle = 8;

export interface Checkout {
  path: string;
  /**
   * Commits what the agent left and pushes it; the start commit itself, and nothing pushed or spawned
   * beyond one `git status`, when it left the checkout as it found it.
   */
  commitAndPush(
    ref: string,
    message: string,
    signal: AbortSignal,
  ): Promise<{ commit: string; pushed: boolean }>;
  /**
   * Gives the worktree back: kept for a later attempt when `reuse` (cleaned in the background when the
   * attempt left anything), else removed before this resolves.
   */
  release(options: { reuse: boolean }): Promise<void>;
}

interface Tree {
  handle: WorktreeHandle;
  /** The commit checked out; the tree holds exactly its files while idle. */
  head: string;
  /** Something other than the start's files may be there: reset and clean before reuse. */
  dirty: boolean;
}

export class AttemptCheckouts {
  readonly #git: Git;
  readonly #cache: string;
  readonly #attempts: string;
  readonly #lock = new KeyedLock();
  /** Commits known to be in the cache: objects never leave it, so each is checked (or fetched) once. */
  readonly #known = new Set<string>();
  readonly #idle: Tree[] = [];
  /** Worktrees being cleaned after their attempt's result went back. */
  readonly #cleaning = new Set<Promise<void>>();

  constructor(git: Git, directory: string) {
    this.#git = git;
    this.#cache = join(directory, 'repository.git');
    this.#attempts = join(directory, 'attempts');
  }

  async open(options: { url: string; token?: string; startCommit: string }): Promise<Checkout> {
    await this.#ensureCommit(options);
    const tree = await this.#treeAt(options.startCommit);
    // Unknown until the attempt's work is looked at: a failed attempt's leftovers are cleaned away.
    tree.dirty = true;
    const call = worktreeCall(tree.handle);
    return {
      path: tree.handle.path,
      commitAndPush: async (ref, message, signal) => {
        const state = await readWorktreeState(this.#git, call);
        tree.dirty = state.head !== options.startCommit || state.changed || state.ignored;
        if (state.head === options.startCommit && !state.changed)
          return { commit: options.startCommit, pushed: false };
        const commit = await commitWorktree(this.#git, tree.handle, {
          parents: [options.startCommit],
          exclude: [],
          message,
        });
        if (commit === undefined) return { commit: options.startCommit, pushed: false };
        const push = () =>
          this.#git([...transport, 'push', '--quiet', '--no-verify', options.url, `${commit}:${ref}`], {
            ...call,
            ...(options.token !== undefined && { environment: authHeader(options.token) }),
          });
        await withPatience(push, signal);
        return { commit, pushed: true };
      },
      release: async ({ reuse }) => {
        if (!reuse) return this.#remove(tree.handle.path);
        // Off the attempt's path: its result goes back while the worktree is cleaned.
        const cleaning = this.#giveBack(tree).catch(() => {});
        this.#cleaning.add(cleaning);
        void cleaning.finally(() => this.#cleaning.delete(cleaning));
      },
    };
  }

  async #ensureCommit(options: { url: string; token?: string; startCommit: string }): Promise<void> {
    if (this.#known.has(options.startCommit)) return;
    const cache = this.#cache;
    const remote: GitCall = {
      cwd: cache,
      gitDir: cache,
      ...(options.token !== undefined && { environment: authHeader(options.token) }),
    };
    await this.#lock.run(cache, async () => {
      if (!existsSync(join(cache, 'HEAD'))) {
        mkdirSync(cache, { recursive: true, mode: 0o700 });
        await this.#git(['init', '--bare', '--quiet', cache], { cwd: cache });
      }
      const known = await this.#git(['cat-file', '-e', `${options.startCommit}^{commit}`], {
        ...remote,
        okCodes: [0, 1, 128],
      });
      if (known.code !== 0)
        await this.#git(
          [
            ...transport,
            'fetch',
            '--quiet',
            '--no-tags',
            '--no-write-fetch-head',
            options.url,
            options.startCommit,
          ],
          remote,
        );
    });
    this.#known.add(options.startCommit);
  }

  /** An idle worktree moved to `start` (nothing spawned when it is there already), else a new one. */
  async #treeAt(start: string): Promise<Tree> {
    const idle = this.#idle.findIndex((tree) => tree.head === start);
    const tree = idle >= 0 ? this.#idle.splice(idle, 1)[0] : this.#idle.pop();
    if (tree) {
      if (tree.head === start) return tree;
      try {
        await this.#git(['checkout', '--quiet', '--detach', '--force', start], worktreeCall(tree.handle));
        tree.head = start;
        return tree;
      } catch {
        await this.#remove(tree.handle.path).catch(() => {});
      }
    }
    return { handle: await this.#add(start), head: start, dirty: false };
  }

  async #add(start: string): Promise<WorktreeHandle> {
    const cache = this.#cache;
    const path = join(this.#attempts, randomUUID().slice(0, 12));
    return this.#lock.run(cache, async () => {
      mkdirSync(this.#attempts, { recursive: true, mode: 0o700 });
      await this.#git(['worktree', 'add', '--quiet', '--detach', path, start], { cwd: cache, gitDir: cache });
      const gitDir = findAdminDir(cache, path);
      if (!gitDir) throw new Error(`git did not register the worktree ${path}`);
      return { path, gitDir };
    });
  }

  async #giveBack(tree: Tree): Promise<void> {
    if (tree.dirty) {
      const call = worktreeCall(tree.handle);
      try {
        await this.#git(['reset', '--quiet', '--hard', tree.head], call);
        await this.#git(['clean', '-ffdxq'], call);
        tree.dirty = false;
      } catch {
        await this.#remove(tree.handle.path);
        return;
      }
    }
    if (this.#idle.length < maxIdle) this.#idle.push(tree);
    else await this.#remove(tree.handle.path);
  }

  /** Resolves when no worktree is being cleaned: every kept one is idle. */
  async settled(): Promise<void> {
    await Promise.all([...this.#cleaning]);
  }

  /** Removes the idle worktrees (after any being cleaned): a stopped worker leaves none behind. */
  async close(): Promise<void> {
    await this.settled();
    const idle = this.#idle.splice(0);
    for (const tree of idle) await this.#remove(tree.handle.path).catch(() => {});
  }

  #remove(path: string): Promise<void> {
    const cache = this.#cache;
    return this.#lock.run(cache, async () => {
      await this.#git(['worktree', 'remove', '--force', '--force', path], {
        cwd: cache,
        gitDir: cache,
        okCodes: [0, 128],
      });
      if (existsSync(path)) rmSync(path, { recursive: true, force: true });
      await this.#git(['worktree', 'prune'], { cwd: cache, gitDir: cache });
    });
  }
}

/**
 * A coordinator that died comes back on the same port (its endpoint keeps port and tokens): the push waits
 * for it, while the job's lock holds, rather than throwing the attempt's work away.
 */
async function withPatience(
  push: () => Promise<unknown>,
  signal: AbortSignal,
  patienceMs = 10 * 60_000,
): Promise<void> {
  const giveUpAt = Date.now() + patienceMs;
  for (let delay = 500; ; delay = Math.min(delay * 2, 5_000)) {
    try {
      await push();
      return;
    } catch (error) {
      if (signal.aborted || Date.now() + delay > giveUpAt) throw error;
      await new Promise((resolve) => setTimeout(resolve, delay));
    }
  }
}

function authHeader(token: string): Record<string, string> {
  return {
    GIT_CONFIG_COUNT: '1',
    GIT_CONFIG_KEY_0: 'http.extraHeader',
    GIT_CONFIG_VALUE_0: `Authorization: Bearer ${token}`,
  };
}
