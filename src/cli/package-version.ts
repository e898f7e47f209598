/** The version of this package, as its manifest says. */
import { readFileSync } from 'node:fs';
import { z } from 'zod';

export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8'));
  return z.object({ version: z.string() }).parse(manifest).version;
}
