import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/**
 * Tests that need something a developer's machine may lack (a browser, the pinned agent CLIs) skip there,
 * saying why. In CI (`CI` set to anything but `false` or `0`) a missing prerequisite is a failure instead:
 * CI must never go green with a suite skipped.
 */
export function runsInCi(environment: NodeJS.ProcessEnv = process.env): boolean {
  const value = environment.CI?.trim().toLowerCase();
  return value !== undefined && value !== '' && value !== 'false' && value !== '0';
}

export class MissingPrerequisiteError extends Error {
  override name = 'MissingPrerequisiteError';
}

/**
 * The `skip` option for tests that need a prerequisite: false when it is there (`missing` undefined), else
 * the reason; throws in CI, or when `required` says the prerequisite must be there.
 */
export function skipWhenMissing(
  missing: string | undefined,
  options: { required?: boolean; environment?: NodeJS.ProcessEnv } = {},
): string | false {
  if (missing === undefined) return false;
  if (options.required || runsInCi(options.environment))
    throw new MissingPrerequisiteError(`a test prerequisite is missing in CI: ${missing}`);
  return `skipped: ${missing}`;
}

/** The first executable of these names on PATH (or given as absolute paths), else undefined. */
export function findExecutable(names: readonly string[], path = process.env.PATH ?? ''): string | undefined {
  for (const name of names) {
    const candidates = name.startsWith('/') ? [name] : path.split(delimiter).map((dir) => join(dir, name));
    for (const candidate of candidates) {
      try {
        accessSync(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here: try the next one
      }
    }
  }
  return undefined;
}
