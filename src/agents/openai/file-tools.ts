/**
 * The file operations behind the model's tools, on paths already confined by `resolveWorkspacePath`.
 * Every size is bounded, final components are opened with O_NOFOLLOW, and a hard-linked file is not
 * written (package managers hard-link their global store into node_modules).
 */
import { constants } from 'node:fs';
import { type FileHandle, lstat, mkdir, open, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorCode } from '../../support/error-code.js';

export interface ToolLimits {
  /** Largest file read_file and edit_file will open. @default 8 MiB */
  maxFileBytes: number;
  /** Most text one read_file call returns. @default 256 KiB */
  maxReadBytes: number;
  /** Lines one read_file call returns when no limit is given. @default 2000 */
  maxReadLines: number;
  /** Largest content write_file (or an edit's result) may write. @default 4 MiB */
  maxWriteBytes: number;
  /** Entries list_files returns. @default 1000 */
  maxListEntries: number;
}

export const defaultToolLimits: ToolLimits = {
  maxFileBytes: 8 * 1024 * 1024,
  maxReadBytes: 256 * 1024,
  maxReadLines: 2_000,
  maxWriteBytes: 4 * 1024 * 1024,
  maxListEntries: 1_000,
};

/** A refusal the model should read and act on (not found, too big, ambiguous), not a crash. */
export class ToolRefusal extends Error {
  override readonly name = 'ToolRefusal';
}

/** Directories listed but not descended into: their contents are noise, or not ours. */
const opaqueDirectories = new Set(['.git', 'node_modules']);

export async function listFiles(root: string, start: string, limits: ToolLimits): Promise<string> {
  const info = await lstat(join(root, start));
  if (!info.isDirectory()) return start;
  const entries: string[] = [];
  const queue = [start === '.' ? '' : start];
  let truncated = false;
  while (queue.length > 0 && !truncated) {
    const directory = queue.shift() ?? '';
    const children = await readdir(join(root, directory), { withFileTypes: true });
    children.sort((a, b) => a.name.localeCompare(b.name));
    for (const child of children) {
      if (entries.length >= limits.maxListEntries) {
        truncated = true;
        break;
      }
      const path = directory === '' ? child.name : `${directory}/${child.name}`;
      if (child.isSymbolicLink()) entries.push(`${path}@`);
      else if (child.isDirectory()) {
        entries.push(`${path}/`);
        if (!opaqueDirectories.has(child.name)) queue.push(path);
      } else entries.push(path);
    }
  }
  entries.sort();
  if (entries.length === 0) return '(empty directory)';
  const note = truncated
    ? `\n[stopped at ${limits.maxListEntries} entries; list a subdirectory to see more]`
    : '';
  return `${entries.join('\n')}${note}`;
}

export async function readTextFile(absolute: string, shown: string, limits: ToolLimits): Promise<string> {
  const handle = await openNoFollow(absolute, constants.O_RDONLY);
  try {
    const info = await handle.stat();
    if (info.isDirectory()) throw new ToolRefusal(`${shown} is a directory; use list_files`);
    if (!info.isFile()) throw new ToolRefusal(`${shown} is not a regular file`);
    if (info.size > limits.maxFileBytes) {
      throw new ToolRefusal(
        `${shown} is ${info.size} bytes, more than the ${limits.maxFileBytes}-byte limit`,
      );
    }
    const bytes = await handle.readFile();
    if (bytes.subarray(0, 8_192).includes(0)) throw new ToolRefusal(`${shown} is a binary file`);
    return bytes.toString('utf8');
  } finally {
    await handle.close();
  }
}

/** The lines `offset` (1-based) onwards, at most `limit` of them and `maxReadBytes` in all, with a note. */
export function sliceLines(
  text: string,
  offset: number | undefined,
  limit: number | undefined,
  limits: ToolLimits,
): string {
  if (text === '') return '(empty file)';
  const lines = text.split('\n');
  if (text.endsWith('\n')) lines.pop();
  const first = Math.max(1, offset ?? 1);
  if (first > lines.length) return `(the file has ${lines.length} lines; offset ${first} is past its end)`;
  const wanted = lines.slice(first - 1, first - 1 + Math.max(1, limit ?? limits.maxReadLines));
  const kept: string[] = [];
  let bytes = 0;
  for (const line of wanted) {
    bytes += Buffer.byteLength(line) + 1;
    if (bytes > limits.maxReadBytes && kept.length > 0) break;
    kept.push(line.length > limits.maxReadBytes ? line.slice(0, limits.maxReadBytes) : line);
  }
  const last = first + kept.length - 1;
  const body = kept.join('\n');
  if (first === 1 && last === lines.length) return body;
  const more = last < lines.length ? `; continue with offset=${last + 1}` : '';
  return `${body}\n[lines ${first}-${last} of ${lines.length}${more}]`;
}

/** Creates or replaces a file (and its missing parent directories); returns whether it existed before. */
export async function writeTextFile(
  absolute: string,
  shown: string,
  content: string,
  limits: ToolLimits,
): Promise<{ created: boolean; bytes: number }> {
  const bytes = Buffer.byteLength(content);
  if (bytes > limits.maxWriteBytes) {
    throw new ToolRefusal(`the content is ${bytes} bytes, more than the ${limits.maxWriteBytes}-byte limit`);
  }
  const existing = await lstat(absolute).catch(() => undefined);
  if (existing?.isDirectory()) throw new ToolRefusal(`${shown} is a directory`);
  if (existing && !existing.isFile()) throw new ToolRefusal(`${shown} is not a regular file`);
  if (existing && existing.nlink > 1) {
    throw new ToolRefusal(`${shown} is hard-linked elsewhere; writing it would change the other copies too`);
  }
  await mkdir(dirname(absolute), { recursive: true });
  const flags = constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC;
  const handle = await openNoFollow(absolute, flags);
  try {
    await handle.writeFile(content, 'utf8');
  } finally {
    await handle.close();
  }
  return { created: existing === undefined, bytes };
}

/** Replaces the one exact occurrence of `oldString`; refuses none or several, like Claude Code's Edit. */
export function replaceUnique(text: string, oldString: string, newString: string, shown: string): string {
  if (oldString === '') throw new ToolRefusal('old_string is empty; use write_file to create a file');
  if (oldString === newString) throw new ToolRefusal('old_string and new_string are the same');
  const at = text.indexOf(oldString);
  if (at < 0) {
    throw new ToolRefusal(
      `old_string was not found in ${shown}; it must match exactly, including whitespace and indentation (read_file shows the text)`,
    );
  }
  const count = text.split(oldString).length - 1;
  if (count > 1) {
    throw new ToolRefusal(
      `old_string occurs ${count} times in ${shown}; include more surrounding text so that it matches once`,
    );
  }
  // Not String.replace: `$&` and friends in new_string must stay literal.
  return text.slice(0, at) + newString + text.slice(at + oldString.length);
}

async function openNoFollow(path: string, flags: number): Promise<FileHandle> {
  try {
    return await open(path, flags | constants.O_NOFOLLOW, 0o644);
  } catch (error) {
    if (errorCode(error) === 'ELOOP') throw new ToolRefusal('the path is a symlink');
    throw error;
  }
}
