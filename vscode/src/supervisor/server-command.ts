/**
 * Which command starts the server: the `aiCollab.serverCommand` setting, else the workspace's own
 * `node_modules/.bin/ai-collab` (the version the project pinned), else `npx ai-collab`.
 */
import { join } from 'node:path';
import { ExtensionError } from '../support/errors.js';

export interface ServerCommand {
  command: string;
  args: string[];
}

export function resolveServerCommand(
  setting: string,
  workspace: string,
  isExecutable: (path: string) => boolean,
): ServerCommand {
  const configured = splitCommandLine(setting);
  const [command, ...args] = configured;
  if (command !== undefined) return { command, args };
  const local = join(workspace, 'node_modules', '.bin', 'ai-collab');
  if (isExecutable(local)) return { command: local, args: [] };
  // --no makes npx refuse to download a package the workspace does not have: never run an unpinned CLI silently.
  return { command: 'npx', args: ['--no', 'ai-collab'] };
}

/** Splits a command line on whitespace, honouring single and double quotes (no shell: nothing is expanded). */
export function splitCommandLine(line: string): string[] {
  const words: string[] = [];
  let current = '';
  let quote: '"' | "'" | undefined;
  let inWord = false;
  for (const char of line.trim()) {
    if (quote) {
      if (char === quote) quote = undefined;
      else current += char;
    } else if (char === '"' || char === "'") {
      quote = char;
      inWord = true;
    } else if (/\s/.test(char)) {
      if (inWord) words.push(current);
      current = '';
      inWord = false;
    } else {
      current += char;
      inWord = true;
    }
  }
  if (quote) throw new ExtensionError('USAGE', `aiCollab.serverCommand has an unclosed ${quote} quote`);
  if (inWord) words.push(current);
  return words;
}
