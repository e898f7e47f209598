/**
 * Where a workspace's state lives: `.ai-collab/` in the workspace unless `--db` or `AI_COLLAB_HOME` says
 * otherwise. The directory is private (0700) and kept out of the user's `git status` without touching
 * their `.gitignore`.
 */
import { appendFileSync, existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { cannotCreate } from '../store/sqlite/database-files.js';

export interface StatePaths {
  stateDir: string;
  databaseFile: string;
}

export function resolveStatePaths(
  workspace: string,
  options: { db?: string | undefined },
  environment: NodeJS.ProcessEnv,
): StatePaths {
  if (options.db) {
    const databaseFile = resolve(options.db);
    return { databaseFile, stateDir: dirname(databaseFile) };
  }
  const stateDir = environment.AI_COLLAB_HOME
    ? resolve(environment.AI_COLLAB_HOME)
    : join(workspace, '.ai-collab');
  return { stateDir, databaseFile: join(stateDir, 'state.db') };
}

export function prepareStateDir(paths: StatePaths, workspace: string): void {
  try {
    mkdirSync(paths.stateDir, { recursive: true, mode: 0o700 });
  } catch (error) {
    throw cannotCreate(paths.stateDir, paths.databaseFile, error);
  }
  if (paths.stateDir === join(workspace, '.ai-collab')) excludeFromGit(workspace);
}

/** Adds `/.ai-collab/` to `.git/info/exclude`, the repository-local ignore list that is never committed. */
function excludeFromGit(workspace: string): void {
  const gitDir = join(workspace, '.git');
  try {
    if (!existsSync(gitDir) || !statSync(gitDir).isDirectory()) return;
    const exclude = join(gitDir, 'info', 'exclude');
    const current = existsSync(exclude) ? readFileSync(exclude, 'utf8') : '';
    if (current.split('\n').some((line) => line.trim() === '/.ai-collab/')) return;
    mkdirSync(dirname(exclude), { recursive: true });
    appendFileSync(exclude, `${current === '' || current.endsWith('\n') ? '' : '\n'}/.ai-collab/\n`);
  } catch {
    // A read-only or unusual .git is not a reason to refuse to run.
  }
}
