/** Whether a folder uses ai-collab, so opening it should connect to (or start) its server right away. */
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export function usesAiCollab(folder: string): boolean {
  return existsSync(join(folder, 'ai-collab.config.yaml')) || existsSync(join(folder, '.ai-collab'));
}
