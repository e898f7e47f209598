/** `ai-collab.config.yaml`: process-wide settings and per-agent settings. Unknown keys are errors. */
import { z } from 'zod';
import { adapterKinds, descriptorOfKind } from '../agents/adapters.js';
import type { PriceTable } from '../engine/budget/price-table.js';
import { budgetSchema } from '../plan/budget-schema.js';
import { durationField, printableText, setupCommands } from '../plan/plan-schema.js';
import type { Budget } from '../protocol/plan-types.js';
import {
  type ReviewSettings,
  resolveReviewSettings,
  reviewSettingsSchema,
} from '../review/review-settings.js';
import { environmentName } from '../support/environment-name.js';
import { type NotifySettings, notifySettingsSchema } from './notify-settings.js';

/** A grace period or pause: 0 is meaningful (at once). */
const duration = durationField();
/** A timeout or a lifetime: 0 would end it before it starts. */
const positiveDuration = durationField({ positive: true });

const byteSize = z
  .union([z.string(), z.number()], { error: 'a size such as 512MB, 2GB or a number of bytes' })
  .transform((value, context) => {
    const bytes = parseByteSize(value);
    if (bytes !== undefined) return bytes;
    context.addIssue({
      code: 'custom',
      message: `"${value}" is not a size; write it as 512MB, 2GB or bytes`,
    });
    return z.NEVER;
  });

export function parseByteSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) && value > 0 ? Math.round(value) : undefined;
  const match = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?$/i.exec(value.trim());
  if (!match) return undefined;
  const unit = (match[2] ?? 'B').toUpperCase() as 'B' | 'KB' | 'MB' | 'GB';
  const factor = { B: 1, KB: 1024, MB: 1024 ** 2, GB: 1024 ** 3 }[unit];
  return Math.round(Number(match[1]) * factor);
}

export const poolSettingsSchema = z.strictObject({
  /** Most processes of this agent alive at once. */
  size: z.number().int().min(1).max(64).optional(),
  /** Idle processes kept started ahead of need. */
  prewarm: z.number().int().min(0).max(64).optional(),
  /** Steps one process serves before it is replaced. */
  maxUses: z.number().int().min(1).max(100_000).optional(),
  maxAge: positiveDuration.optional(),
  /** Memory of a process and all its descendants; above it the process is recycled. */
  maxMemory: byteSize.optional(),
  idleTimeout: positiveDuration.optional(),
  /** ACP agents: sessions one process serves at once (1 keeps a crash or retry to one step). */
  sessionsPerProcess: z.number().int().min(1).max(16).optional(),
});

const commonAgentSettings = z.strictObject({
  /** Which adapter drives this agent; defaults to the agent's name for claude, codex, gemini and shell. */
  adapter: z.enum(adapterKinds).optional(),
  /** Executable to start (CLI adapters and acp). */
  command: printableText(z.string().min(1).max(4096), 'a command').optional(),
  /** Extra arguments, after the ones the adapter needs. */
  args: z
    .array(printableText(z.string().max(4096), 'an argument', { allowLayout: true }))
    .max(200)
    .optional(),
  model: z.string().min(1).max(200).optional(),
  /** Environment values set for the agent's processes. */
  env: z
    .record(
      environmentName,
      printableText(z.string().max(32_768), 'an environment value', { allowLayout: true }),
    )
    .optional(),
  /** Extra variables passed through from the orchestrator's environment. */
  passEnv: z.array(environmentName).max(200).optional(),
  /** Steps of this agent running at once, across all runs of the process. */
  concurrency: z.number().int().min(1).max(1024).optional(),
  /** Default step timeout for this agent. */
  timeout: positiveDuration.optional(),
  /** Agents that take over this one's ready steps when it is parked on a usage limit, unusable or crash-looping. */
  fallback: z.array(z.string().min(1).max(200)).min(1).max(10).optional(),
  pool: poolSettingsSchema.optional(),
  /** What the agent is for: execute (run steps), plan, review. */
  capabilities: z
    .array(z.enum(['execute', 'plan', 'review']))
    .max(3)
    .optional(),
});

export const agentSettingsSchema = z.strictObject({
  ...commonAgentSettings.shape,
  /** Each adapter's own keys come from its descriptor; `mode` takes any adapter's modes here, its own when resolved. */
  ...adapterSettingsShape(),
  mode: z.enum(adapterModes()).optional(),
});

/** The keys every agent has are typed here; an adapter's own keys are read by its descriptor's schema. */
export type AgentSettingsInput = z.output<typeof commonAgentSettings> & { [key: string]: unknown };

function adapterSettingsShape(): Record<string, z.ZodType> {
  const shape: Record<string, z.ZodType> = {};
  for (const kind of adapterKinds) Object.assign(shape, descriptorOfKind(kind).settings.shape);
  return shape;
}

function adapterModes(): string[] {
  return [...new Set(adapterKinds.flatMap((kind) => descriptorOfKind(kind).modes))];
}

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
  agents: z
    .record(printableText(z.string().min(1).max(200), 'an agent name'), agentSettingsSchema)
    .optional(),
  workspace: z
    .strictObject({
      /** auto: code-changing steps in git worktrees (in a git repository); off: every step in the workspace. */
      isolation: z.enum(['auto', 'off']).optional(),
      /** Untracked files worktrees need: copied (e.g. .env*) or linked (e.g. node_modules). */
      bringIn: z
        .strictObject({
          copy: z.array(z.string().min(1).max(500)).max(100),
          link: z.array(z.string().min(1).max(500)).max(100),
        })
        .optional(),
      /** Run in each fresh worktree before its agent starts (`npm ci`), one command or a list. */
      setup: setupCommands(
        z
          .string()
          .trim()
          .min(1, 'a setup command cannot be empty')
          .max(64 * 1024)
          .refine((text) => !text.includes('\0'), 'contains NUL; remove it'),
      ).optional(),
      /** Each running attempt in a worktree gets its own block of ports (`AI_COLLAB_PORT_BASE`). */
      ports: z
        .strictObject({
          base: z.number().int().min(1_024).max(65_000).optional(),
          size: z.number().int().min(1).max(10_000).optional(),
        })
        .optional(),
    })
    .optional(),
  /** Who is told when a plan waits for approval, a run ends, a step parks or fails over, a budget is reached. */
  notify: notifySettingsSchema.optional(),
  approval: z
    .strictObject({
      /** always: every plan waits for a person; auto: only uncertain or risky plans; never: run at once. */
      policy: z.enum(['always', 'auto', 'never']).optional(),
      /** auto: plans whose overall confidence is below this wait for approval. */
      confidenceThreshold: z.number().min(0).max(1).optional(),
      /** Stop waiting (the run stays awaiting approval, resumable) after this long; `auto` = max(5m, 30s × steps). */
      pauseAfter: z.union([z.literal('auto'), duration]).optional(),
      /** Who approves over MCP: `person` (asked through MCP elicitation; refused where a client cannot ask) or `agent`. */
      mcp: z.enum(['person', 'agent']).optional(),
    })
    .optional(),
  /** The reviewer swarm: who reviews code-changing steps, how many, and how the votes are counted. */
  review: reviewSettingsSchema.optional(),
  /** Distributed mode: step attempts run on `ai-collab worker` processes through Redis. */
  distributed: z
    .strictObject({
      /** redis:// or rediss:// URL (also --redis and AI_COLLAB_REDIS_URL). */
      redis: z.string().min(1).max(4096).optional(),
      /** Key prefix of the queues and the worker registry: coordinators and workers must agree. */
      prefix: z
        .string()
        .regex(/^[A-Za-z0-9._-]{1,100}$/, 'letters, digits, . _ - (at most 100)')
        .optional(),
      /** Address the coordinator's git endpoint listens on (default 127.0.0.1). */
      gitHost: z.string().min(1).max(255).optional(),
      /** Its port (default: a free one). */
      gitPort: z.number().int().min(0).max(65_535).optional(),
      /** The host name workers use to reach it, when not gitHost (e.g. this machine's name on the LAN). */
      gitAdvertiseHost: z.string().min(1).max(255).optional(),
      /**
       * An existing git remote (URL or path; http(s), ssh or file) that carries the work instead of the
       * coordinator's endpoint: coordinator and workers use their own git credentials for it.
       */
      gitUrl: z
        .string()
        .min(1)
        .max(4096)
        .refine(
          (url) => !/^[A-Za-z][A-Za-z0-9+.-]*::/.test(url),
          'a URL of http(s), ssh or file, not <transport>::',
        )
        .optional(),
    })
    .optional(),
  /** The budget of a run whose plan sets none (`--budget` overrides both). */
  budget: budgetSchema.optional(),
  /** Model prices in US dollars per million tokens, on top of (and replacing) the shipped table's. */
  prices: z
    .record(
      z.string().min(1).max(200),
      z.strictObject({
        input: z.number().nonnegative().max(10_000),
        output: z.number().nonnegative().max(10_000),
        cachedInput: z.number().nonnegative().max(10_000).optional(),
      }),
    )
    .optional(),
});

export type ConfigInput = z.output<typeof configSchema>;

export interface ResolvedConfig {
  concurrency: number | undefined;
  killGraceMs: number;
  interruptGraceMs: number;
  maxLogBytes: number;
  approval: {
    policy: 'always' | 'auto' | 'never';
    confidenceThreshold: number;
    pauseAfter: 'auto' | number | undefined;
    mcp: 'person' | 'agent';
  };
  workspace: {
    isolation: 'auto' | 'off';
    bringIn: { copy: string[]; link: string[] } | undefined;
    setup?: string[];
    ports?: { base?: number; size?: number };
  };
  /** Notifiers (none when absent). */
  notify?: NotifySettings;
  /** Per-agent settings as written (merged across files); `resolveAgents` turns them into agent configs. */
  agents: Record<string, AgentSettingsInput>;
  /** Review settings with defaults; `reviewers` empty means none named (the runtime picks the defaults). */
  review: ReviewSettings;
  /** The default budget of runs whose plan sets none. */
  budget: Budget | undefined;
  /** Configured model prices (the shipped table fills in the rest). */
  prices: PriceTable | undefined;
  /** Files the settings came from, nearest first. */
  sources: string[];
  /** Distributed mode settings as written (`--redis` and AI_COLLAB_REDIS_URL override `redis`). */
  distributed?: NonNullable<ConfigInput['distributed']>;
}

export const defaultConfig: ResolvedConfig = {
  concurrency: undefined,
  killGraceMs: 5_000,
  interruptGraceMs: 10_000,
  maxLogBytes: 10 * 1024 * 1024,
  approval: { policy: 'always', confidenceThreshold: 0.7, pauseAfter: undefined, mcp: 'person' },
  workspace: { isolation: 'auto', bringIn: undefined },
  agents: {},
  review: resolveReviewSettings(),
  budget: undefined,
  prices: undefined,
  sources: [],
};
