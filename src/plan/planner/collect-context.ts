/**
 * What the planner is shown of the workspace, bounded so a large repository cannot blow the prompt: the file
 * tree (tracked files in a git repository, else a walk that skips build output), the manifests, the README,
 * and the files the task names.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface WorkspaceContext {
  files: string[];
  filesOmitted: number;
  /** Path → content (trimmed to the per-file cap). */
  documents: Array<{ path: string; content: string; truncated: boolean }>;
}

export interface ContextLimits {
  maxFiles: number;
  maxFileBytes: number;
  maxTotalBytes: number;
}

export const defaultContextLimits: ContextLimits = {
  maxFiles: 1_500,
  maxFileBytes: 16 * 1024,
  maxTotalBytes: 160 * 1024,
};

const manifests = [
  'package.json',
  'tsconfig.json',
  'pyproject.toml',
  'requirements.txt',
  'Cargo.toml',
  'go.mod',
  'pom.xml',
  'build.gradle',
  'Gemfile',
  'composer.json',
  'Makefile',
  'CMakeLists.txt',
];
const readmes = ['README.md', 'README', 'readme.md', 'README.rst'];
const skippedDirectories = new Set([
  'node_modules',
  '.git',
  '.ai-collab',
  'dist',
  'build',
  'target',
  '.venv',
  'venv',
  '__pycache__',
  'coverage',
  '.next',
]);

export function collectWorkspaceContext(
  workspace: string,
  task: string,
  limits: ContextLimits = defaultContextLimits,
): WorkspaceContext {
  const all = listFiles(workspace, limits.maxFiles * 4);
  const files = all.slice(0, limits.maxFiles);
  const wanted = [
    ...manifests.filter((name) => all.includes(name)),
    ...readmes.filter((name) => all.includes(name)).slice(0, 1),
    ...namedIn(task, all),
  ];
  const documents: WorkspaceContext['documents'] = [];
  let total = 0;
  for (const path of [...new Set(wanted)]) {
    if (total >= limits.maxTotalBytes) break;
    const content = readBounded(
      join(workspace, path),
      Math.min(limits.maxFileBytes, limits.maxTotalBytes - total),
    );
    if (content === undefined) continue;
    total += content.text.length;
    documents.push({ path, content: content.text, truncated: content.truncated });
  }
  return { files, filesOmitted: all.length - files.length, documents };
}

/** Paths in the workspace that the task text mentions (`src/db/schema.ts`, or a bare file name). */
function namedIn(task: string, files: readonly string[]): string[] {
  const words = new Set(
    task.split(/[\s`'"(),:;]+/).map((word) => word.replace(/^\.\//, '').replace(/[.]$/, '')),
  );
  return files.filter((file) => words.has(file) || words.has(file.split('/').pop() ?? '')).slice(0, 8);
}

function listFiles(workspace: string, cap: number): string[] {
  if (existsSync(join(workspace, '.git'))) {
    try {
      const output = execFileSync(
        'git',
        ['-c', 'core.hooksPath=/dev/null', 'ls-files', '-z', '--cached', '--others', '--exclude-standard'],
        {
          cwd: workspace,
          maxBuffer: 64 * 1024 * 1024,
          stdio: ['ignore', 'pipe', 'ignore'],
        },
      );
      return output
        .toString('utf8')
        .split('\0')
        .filter(Boolean)
        .filter((path) => !path.startsWith('.ai-collab/'))
        .sort()
        .slice(0, cap);
    } catch {
      // Not usable as a git repository after all: walk the directory instead.
    }
  }
  const found: string[] = [];
  const walk = (directory: string): void => {
    if (found.length >= cap) return;
    let entries: string[];
    try {
      entries = readdirSync(directory).sort();
    } catch {
      return;
    }
    for (const name of entries) {
      if (found.length >= cap) return;
      const path = join(directory, name);
      let isDirectory: boolean;
      try {
        isDirectory = statSync(path).isDirectory();
      } catch {
        continue;
      }
      if (isDirectory) {
        if (!skippedDirectories.has(name)) walk(path);
      } else found.push(relative(workspace, path));
    }
  };
  walk(workspace);
  return found;
}

function readBounded(file: string, maxBytes: number): { text: string; truncated: boolean } | undefined {
  try {
    const buffer = readFileSync(file);
    if (buffer.includes(0)) return undefined;
    const truncated = buffer.length > maxBytes;
    return { text: buffer.subarray(0, maxBytes).toString('utf8'), truncated };
  } catch {
    return undefined;
  }
}
