/** `ai-collab.config.yaml`: process-wide settings and per-agent settings. Unknown keys are errors. */
import { z } from 'zod';
import { parseDuration } from '../plan/parse-duration.js';

const duration = z
  .union([z.string(), z.number()], { error: 'a duration such as 10s or 500ms' })
  .transform((value, context) => {
    const parsed = parseDuration(value);
    if (parsed.ok) return parsed.ms;
    context.addIssue({ code: 'custom', message: parsed.reason });
    return z.NEVER;
  });

const environmentName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

export const agentSettingsSchema = z.strictObject({
  /** Steps of this agent running at once, across all runs of the process. */
  concurrency: z.number().int().min(1).max(1024).optional(),
  /** Extra variables passed through from the orchestrator's environment. */
  passEnv: z.array(environmentName).max(200).optional(),
});

export const configSchema = z.strictObject({
  /** Steps running at once across all runs of the process. */
  concurrency: z.number().int().min(1).max(4096).optional(),
  /** Time a stopped step gets between SIGTERM and SIGKILL. */
  killGrace: duration.optional(),
  /** After the first Ctrl-C, how long running steps may take to finish before they are killed. */
  interruptGrace: duration.optional(),
  /** Cap on each step attempt's log file. */
  maxLogBytes: z
    .number()
    .int()
    .min(1_024)
    .max(1024 ** 3)
    .optional(),
  agents: z.record(z.string().min(1).max(200), agentSettingsSchema).optional(),
});

export type ConfigInput = z.output<typeof configSchema>;

export interface ResolvedConfig {
  concurrency: number | undefined;
  killGraceMs: number;
  interruptGraceMs: number;
  maxLogBytes: number;
  agents: Record<string, { concurrency?: number; passEnv: string[] }>;
  /** Files the settings came from, nearest first. */
  sources: string[];
}

export const defaultConfig: ResolvedConfig = {
  concurrency: undefined,
  killGraceMs: 5_000,
  interruptGraceMs: 10_000,
  maxLogBytes: 10 * 1024 * 1024,
  agents: {},
  sources: [],
};
