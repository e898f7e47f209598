/**
 * The words of a shell command that needs no shell, as `make` finds them: only plain words (letters,
 * digits and `_ - . , / : + @ %`) separated by spaces, and a first word that is not a shell builtin or
 * keyword. Such a command runs the same exec'd directly as under `sh -c` (where the shell would exec it
 * anyway), one exec cheaper. Anything else (quotes, `$`, globs, redirections, `;`, assignments, `cd`, `exit`)
 * is left to the shell, and so is a command that cannot be exec'd: the launcher then runs `sh -c`, which
 * reports "not found" or "Permission denied" exactly as it always did.
 */
const plainWords = /^[A-Za-z0-9_\-.,/:+@% ]+$/;

/** Words the shell itself gives a meaning to (GNU make's list, plus the ones dash and bash add). */
const shellWords = new Set([
  '.',
  ':',
  'alias',
  'bg',
  'break',
  'case',
  'cd',
  'command',
  'continue',
  'eval',
  'exec',
  'exit',
  'export',
  'fc',
  'fg',
  'for',
  'getopts',
  'hash',
  'if',
  'jobs',
  'local',
  'login',
  'logout',
  'read',
  'readonly',
  'return',
  'set',
  'shift',
  'source',
  'test',
  'times',
  'trap',
  'type',
  'ulimit',
  'umask',
  'unalias',
  'unset',
  'until',
  'wait',
  'while',
]);

export function simpleCommandWords(script: string): string[] | undefined {
  if (!plainWords.test(script)) return undefined;
  const words = script.split(' ').filter((word) => word !== '');
  const first = words[0];
  if (first === undefined || shellWords.has(first)) return undefined;
  return words;
}
