/**
 * The worker's side of "git carries the work": one cached bare repository per worker directory (objects
 * fetched once serve every later attempt), a worktree per attempt execution at the attempt's start commit,
 * and the agent's work committed on top of the start and pushed to the execution's own result ref.
 */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Git, GitCall } from '../../workspace/git-runner.js';
import { KeyedLock } from '../../workspace/keyed-lock.js';
import { commitWorktree } from '../../workspace/step-changes.js';
import { findAdminDir, type WorktreeHandle, worktreeCall } from '../../workspace/worktrees.js';
import { workRemoteTransport } from '../git-exchange.js';

/** The coordinator's endpoint (http, the token as a header kept off argv) or a named remote's transport. */
const transport = workRemoteTransport;

export interface Checkout {
  path: string;
  /** Commits what the agent left and pushes it; the start commit itself when nothing changed. */
  commitAndPush(
    ref: string,
    message: string,
    signal: AbortSignal,
  ): Promise<{ commit: string; pushed: boolean }>;
  remove(): Promise<void>;
}

export class AttemptCheckouts {
  readonly #git: Git;
  readonly #cache: string;
  readonly #attempts: string;
  readonly #lock = new KeyedLock();

  constructor(git: Git, directory: string) {
    this.#git = git;
    this.#cache = join(directory, 'repository.git');
    this.#attempts = join(directory, 'attempts');
  }

  async open(options: { url: string; token?: string; startCommit: string; name: string }): Promise<Checkout> {
    const git = this.#git;
    const cache = this.#cache;
    const remote: GitCall = {
      cwd: cache,
      gitDir: cache,
      ...(options.token !== undefined && { environment: authHeader(options.token) }),
    };
    await this.#lock.run(cache, async () => {
      if (!existsSync(join(cache, 'HEAD'))) {
        mkdirSync(cache, { recursive: true, mode: 0o700 });
        await git(['init', '--bare', '--quiet', cache], { cwd: cache });
      }
      const known = await git(['cat-file', '-e', `${options.startCommit}^{commit}`], {
        ...remote,
        okCodes: [0, 1, 128],
      });
      if (known.code !== 0)
        await git([...transport, 'fetch', '--quiet', '--no-tags', options.url, options.startCommit], remote);
    });
    const path = join(this.#attempts, options.name);
    const handle = await this.#lock.run(cache, async () => {
      if (existsSync(path)) rmSync(path, { recursive: true, force: true });
      mkdirSync(this.#attempts, { recursive: true, mode: 0o700 });
      await git(['worktree', 'add', '--quiet', '--detach', path, options.startCommit], {
        cwd: cache,
        gitDir: cache,
      });
      const gitDir = findAdminDir(cache, path);
      if (!gitDir) throw new Error(`git did not register the worktree ${path}`);
      return { path, gitDir } satisfies WorktreeHandle;
    });
    return {
      path,
      commitAndPush: async (ref, message, signal) => {
        const commit = await commitWorktree(git, handle, {
          parents: [options.startCommit],
          exclude: [],
          message,
        });
        if (commit === undefined) return { commit: options.startCommit, pushed: false };
        const push = () =>
          git([...transport, 'push', '--quiet', '--no-verify', options.url, `${commit}:${ref}`], {
            ...worktreeCall(handle),
            ...(options.token !== undefined && { environment: authHeader(options.token) }),
          });
        await withPatience(push, signal);
        return { commit, pushed: true };
      },
      remove: () =>
        this.#lock.run(cache, async () => {
          await git(['worktree', 'remove', '--force', '--force', path], {
            cwd: cache,
            gitDir: cache,
            okCodes: [0, 128],
          });
          if (existsSync(path)) rmSync(path, { recursive: true, force: true });
          await git(['worktree', 'prune'], { cwd: cache, gitDir: cache });
        }),
    };
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
