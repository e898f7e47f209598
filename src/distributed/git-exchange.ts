/**
 * The coordinator's side of "git carries the work": a bare exchange repository beside the state that
 * borrows every object of the workspace's repository (git alternates), so workers can fetch any start
 * commit from it and push results into it without ever writing the user's repository; results are then
 * fetched from it into the workspace repository and applied to the step's directory.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import type { Git } from '../workspace/git-runner.js';

/** Local fetches from the exchange: the git runner allows no transport unless told. */
const fileTransport = ['-c', 'protocol.file.allow=always'];

/**
 * The transports a work remote may use (the endpoint's http, or a remote named by `distributed.gitUrl`):
 * never `ext::` or any other that runs a command.
 */
export const workRemoteTransport = [
  '-c',
  'protocol.allow=never',
  ...['file', 'http', 'https', 'ssh'].flatMap((name) => ['-c', `protocol.${name}.allow=always`]),
];

export interface GitExchange {
  /** The commit a step's directory shows: the attempt's start (`HEAD`, one git process). */
  startOf(workspace: string): Promise<string>;
  /** Makes the start commit fetchable by workers (pushed to a named remote; the exchange already has it). */
  offerStart(workspace: string, commit: string, ref: string): Promise<void>;
  /**
   * Brings a worker's result into the step's directory: fetched into the workspace repository (kept under
   * `refs/ai-collab/<run>/attempts/…`) and applied as the change from start to result, so the workspace's
   * own stages (commit, review, merge) see exactly what a local agent would have left.
   */
  applyResult(workspace: string, change: { start: string; result: string; ref: string }): Promise<void>;
}

export async function openGitExchange(
  git: Git,
  options: { workspace: string; stateDir: string },
): Promise<GitExchange & { repository: string }> {
  const repository = join(options.stateDir, 'distributed', 'exchange.git');
  const commonDir = (await git(['rev-parse', '--git-common-dir'], { cwd: options.workspace })).stdout.trim();
  const objects = join(isAbsolute(commonDir) ? commonDir : resolve(options.workspace, commonDir), 'objects');
  if (!existsSync(join(repository, 'HEAD'))) {
    mkdirSync(repository, { recursive: true, mode: 0o700 });
    await git(['init', '--bare', '--quiet', repository], { cwd: options.stateDir });
  }
  mkdirSync(join(repository, 'objects', 'info'), { recursive: true });
  writeFileSync(join(repository, 'objects', 'info', 'alternates'), `${objects}\n`, { mode: 0o600 });
  return {
    repository,
    ...changesFrom(git, repository, fileTransport),
    offerStart: async () => {},
  };
}

/**
 * Work exchanged through an existing remote (`distributed.gitUrl`, e.g. the team's git server or a bare
 * repository on a shared disk): each start commit is pushed under `refs/ai-collab/<run>/starts/…`, so
 * workers can fetch it, and results are fetched back from there. Credentials are git's own on each side.
 */
export function openRemoteExchange(git: Git, url: string): GitExchange {
  return {
    ...changesFrom(git, url, workRemoteTransport),
    async offerStart(workspace, commit, ref) {
      await git([...workRemoteTransport, 'push', '--quiet', '--no-verify', url, `${commit}:${ref}`], {
        cwd: workspace,
      });
    },
  };
}

/** Runs whose checkout start is remembered (a coordinator serving many runs forgets the oldest). */
const rememberedRuns = 64;

/**
 * The start of a step without a worktree of its own (in place, or isolation off): it works in the user's
 * checkout, to which a distributed run never commits (a worker's result is applied there, not committed),
 * so its HEAD is read once per run and directory instead of once per step. Steps in the engine's worktrees
 * need none of this: the engine hands their start over (`AgentTask.startCommit`).
 */
export function checkoutStarts(
  exchange: Pick<GitExchange, 'startOf'>,
): (runId: string, workspace: string) => Promise<string> {
  const starts = new Map<string, Promise<string>>();
  return (runId, workspace) => {
    const key = `${runId}\0${workspace}`;
    const known = starts.get(key);
    if (known !== undefined) return known;
    const start = exchange.startOf(workspace);
    starts.set(key, start);
    // A failed read is not remembered: the next step asks again.
    start.catch(() => {
      starts.delete(key);
    });
    for (const oldest of starts.keys()) {
      if (starts.size <= rememberedRuns) break;
      starts.delete(oldest);
    }
    return start;
  };
}

function changesFrom(
  git: Git,
  source: string,
  transport: string[],
): Pick<GitExchange, 'startOf' | 'applyResult'> {
  return {
    startOf: async (workspace) => (await git(['rev-parse', 'HEAD'], { cwd: workspace })).stdout.trim(),
    async applyResult(workspace, change) {
      await git([...transport, 'fetch', '--quiet', '--no-tags', source, `+${change.ref}:${change.ref}`], {
        cwd: workspace,
      });
      const fetched = (await git(['rev-parse', `${change.ref}^{commit}`], { cwd: workspace })).stdout.trim();
      if (fetched !== change.result)
        throw new Error(`the worker reported ${change.result} but ${change.ref} holds ${fetched}`);
      const patch = (
        await git(['diff', '--binary', '--full-index', '--no-renames', change.start, change.result], {
          cwd: workspace,
        })
      ).stdout;
      if (patch.length === 0) return;
      await git(['apply', '--whitespace=nowarn', '-'], { cwd: workspace, input: patch });
    },
  };
}
