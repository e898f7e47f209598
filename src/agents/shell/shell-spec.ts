/** The shell adapter has no keys of its own. */
import { z } from 'zod';
import type { SpecOf } from '../agent-spec.js';

export const shellSettings = z.object({});

export type ShellSpec = SpecOf<'shell', Record<never, never>>;
