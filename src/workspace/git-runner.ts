/**
 * The only way the orchestrator runs git. Every call: argv (no shell), hooks off, fsmonitor off, no
 * pager/editor/signing/network, a fixed identity, and an environment built from scratch so no GIT_DIR,
 * GIT_INDEX_FILE or askpass of the caller leaks in. Agents work in the repository, so anything executable
 * that git would take from the repository's configuration is pinned here or checked by config-trust.ts.
 */
import { spawn } from 'node:child_process';
import { WorkspaceError } from './workspace-error.js';

export interface GitCall {
  /** Working directory of the git process. */
  cwd: string;
  /**
   * The repository (or a linked worktree's administrative directory) and its work tree, given
   * explicitly so a `.git` file an agent rewrote in its worktree is never followed.
   */
  gitDir?: string;
  workTree?: string;
  /** Written to stdin. */
  input?: string;
  /** Exit codes that are answers, not failures (e.g. 1 for `merge` with conflicts). Default [0]. */
  okCodes?: readonly number[];
  /** Killed (SIGKILL) after this long. Default 5 minutes. */
  timeoutMs?: number;
  /**
   * Added to the built environment: the transport settings of distributed mode (a remote's auth header as
   * GIT_CONFIG_* entries, kept off the command line where other users could read them).
   */
  environment?: Readonly<Record<string, string>>;
}

export interface GitResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** The port: tests and other rooms may wrap it (to count calls, or inject failures). */
export type Git = (args: readonly string[], call: GitCall) => Promise<GitResult>;

/** The identity of the orchestrator's commits. */
export const orchestratorIdentity = { name: 'ai-collab', email: 'ai-collab@localhost' } as const;

/**
 * `-c` settings of every call. Command-line settings beat every configuration file, so these hold even
 * if an agent wrote the repository's `.git/config`.
 */
export const safetySettings: readonly string[] = [
  'core.hooksPath=/dev/null',
  'core.fsmonitor=false',
  'core.pager=cat',
  'core.editor=false',
  'sequence.editor=false',
  'core.quotePath=false',
  'commit.gpgSign=false',
  'tag.gpgSign=false',
  'merge.verifySignatures=false',
  'log.showSignature=false',
  // No transport at all: nothing the orchestrator does needs the network or another repository.
  'protocol.allow=never',
  'submodule.recurse=false',
  'gc.auto=0',
  'maintenance.auto=false',
  // Recorded resolutions would silently "resolve" a conflict the reviewers never saw.
  'rerere.enabled=false',
  // Conflict markers with the common base: more context for the resolution step.
  'merge.conflictStyle=diff3',
  'merge.autoStash=false',
  'merge.log=false',
  'color.ui=false',
  'advice.detachedHead=false',
  'worktree.guessRemote=false',
  'diff.noprefix=false',
  'diff.mnemonicPrefix=false',
  'diff.renames=false',
  // …but merges keep finding renames (merge.renames defaults to diff.renames).
  'merge.renames=true',
  `user.name=${orchestratorIdentity.name}`,
  `user.email=${orchestratorIdentity.email}`,
];

export interface GitRunnerOptions {
  /** Default `git`, found on PATH. */
  binary?: string;
  /** The orchestrator's environment: only PATH, HOME and the XDG/locale basics are taken from it. */
  environment: Readonly<Record<string, string | undefined>>;
  /** Cap of captured stdout; longer output fails the call. Default 64 MiB. */
  maxOutputBytes?: number;
}

const passedVariables = ['PATH', 'HOME', 'XDG_CONFIG_HOME', 'TMPDIR', 'SYSTEMROOT'] as const;

/** Builds the child environment: the few basics, then git's own variables fixed to safe values. */
export function gitEnvironment(
  environment: Readonly<Record<string, string | undefined>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of passedVariables) {
    const value = environment[name];
    if (value !== undefined) env[name] = value;
  }
  return {
    ...env,
    // Parsed messages ("CONFLICT", "not a git repository") must not be translated.
    LC_ALL: 'C',
    LANG: 'C',
    GIT_TERMINAL_PROMPT: '0',
    GIT_ASKPASS: 'false',
    SSH_ASKPASS: 'false',
    GIT_EDITOR: 'false',
    GIT_SEQUENCE_EDITOR: 'false',
    GIT_PAGER: 'cat',
    // Reads in the user's checkout must not rewrite their index to refresh its stat cache.
    GIT_OPTIONAL_LOCKS: '0',
    // Replacement refs (refs/replace) are writable by anyone with the repository: history is read as is.
    GIT_NO_REPLACE_OBJECTS: '1',
    GIT_AUTHOR_NAME: orchestratorIdentity.name,
    GIT_AUTHOR_EMAIL: orchestratorIdentity.email,
    GIT_COMMITTER_NAME: orchestratorIdentity.name,
    GIT_COMMITTER_EMAIL: orchestratorIdentity.email,
  };
}

export function createGitRunner(options: GitRunnerOptions): Git {
  const binary = options.binary ?? 'git';
  const env = gitEnvironment(options.environment);
  const maxOutputBytes = options.maxOutputBytes ?? 64 * 1024 * 1024;
  return (args, call) => runGit(binary, fullArgs(args, call), env, call, maxOutputBytes);
}

function fullArgs(args: readonly string[], call: GitCall): string[] {
  const location: string[] = [];
  if (call.gitDir !== undefined) location.push(`--git-dir=${call.gitDir}`);
  if (call.workTree !== undefined) location.push(`--work-tree=${call.workTree}`);
  return [...safetySettings.flatMap((setting) => ['-c', setting]), ...location, ...args];
}

function runGit(
  binary: string,
  args: string[],
  env: Record<string, string>,
  call: GitCall,
  maxOutputBytes: number,
): Promise<GitResult> {
  const command = commandLabel(args);
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, {
      cwd: call.cwd,
      env: call.environment ? { ...env, ...call.environment } : env,
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const stdout: Buffer[] = [];
    const stderr: Buffer[] = [];
    let size = 0;
    let overflow = false;
    const timer = setTimeout(() => child.kill('SIGKILL'), call.timeoutMs ?? 5 * 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxOutputBytes) {
        overflow = true;
        child.kill('SIGKILL');
      } else stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      if (stderr.length < 256) stderr.push(chunk);
    });
    // A git that exits before reading its input closes the pipe; that is its answer, not our failure.
    child.stdin.on('error', () => {});
    child.stdin.end(call.input ?? '');
    child.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new WorkspaceError('GIT_FAILED', `could not run git (${command}): ${error.message}`, {
          cause: error,
        }),
      );
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      const result = {
        code: code ?? -1,
        stdout: Buffer.concat(stdout).toString('utf8'),
        stderr: Buffer.concat(stderr).toString('utf8'),
      };
      if (overflow) {
        reject(new WorkspaceError('GIT_FAILED', `git ${command} printed more than ${maxOutputBytes} bytes`));
      } else if (signal !== null || !(call.okCodes ?? [0]).includes(result.code)) {
        const why = signal ? `was killed by ${signal}` : `exited with code ${result.code}`;
        const said = result.stderr.trim().split('\n').slice(0, 6).join(' / ').slice(0, 600);
        reject(
          new WorkspaceError('GIT_FAILED', `git ${command} ${why}${said ? `: ${said}` : ''}`, {
            details: {
              args: args.slice(safetySettings.length * 2),
              code: result.code,
              stderr: result.stderr,
            },
          }),
        );
      } else resolve(result);
    });
  });
}

/** `worktree add` rather than the whole argv: messages stay short and never carry commit messages. */
function commandLabel(args: string[]): string {
  const rest = args
    .slice(safetySettings.length * 2)
    .filter((arg) => !arg.startsWith('--git-dir=') && !arg.startsWith('--work-tree='));
  return rest.slice(0, 2).join(' ');
}
