/** The two places an agent CLI finds credentials: a variable that is set, or the file its login wrote. */
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import type { CredentialCheck, Environment } from './adapter-descriptor.js';

export function homeOf(environment: Environment): string {
  return environment.HOME ?? homedir();
}

/** The first of `names` that is set, as a found credential; undefined when none is. */
export function variableCredential(
  names: readonly string[],
  environment: Environment,
): CredentialCheck | undefined {
  const name = names.find((candidate) => Boolean(environment[candidate]));
  return name ? { found: true, detail: `${name} is set` } : undefined;
}

export function loginFileCredential(file: string, note = ''): CredentialCheck | undefined {
  return existsSync(file) ? { found: true, detail: `logged in (${file})${note}` } : undefined;
}
