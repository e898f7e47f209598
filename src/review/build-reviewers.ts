/**
 * Reviewers from agent names, for the composition root: openai-compatible agents become chat reviewers
 * (the 3-call protocol, temperatures included), CLI agents become one-call reviewers. Every reviewer of one
 * provider shares one limiter from the process's `ProviderLimiters` (key: base URL + key variable), so
 * reviewers, steps and planner stay under that provider's limits together.
 */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelEndpointSpec } from '../agents/adapter-descriptor.js';
import { adapterKinds, descriptorOf } from '../agents/adapters.js';
import type { Agent } from '../agents/agent.js';
import type { AgentSpec } from '../agents/agent-spec.js';
import type { ProviderLimiters } from '../limits/provider-limiter.js';
import type { Clock } from '../support/clock.js';
import { createAgentReviewer } from './agent-reviewer.js';
import { createChatReviewer } from './chat-reviewer.js';
import { limitsFor, type ReviewSettings } from './review-settings.js';
import type { Reviewer } from './reviewer.js';

export interface ReviewerSources {
  specs: ReadonlyMap<string, AgentSpec>;
  /** The agent registry (CLI reviewers run through the same adapters and pools as steps). */
  agents: { get(name: string): Agent | undefined };
}

export interface BuildReviewersDeps {
  clock: Clock;
  random?: () => number;
  environment: Readonly<Record<string, string | undefined>>;
  limiters: ProviderLimiters;
  /** Where CLI reviewers' transcripts go, per run. @default a directory under the system's temp dir */
  logsDir?(runId: string): string;
}

export interface BuiltReviewers {
  reviewers: Reviewer[];
  /** Why a named reviewer cannot review here, with the fix. */
  problems: string[];
}

/** The limiter key of an openai-compatible endpoint: base URL plus the name of the key's variable. */
export function providerKey(spec: ModelEndpointSpec): string {
  return `${(spec.baseUrl ?? '').replace(/\/+$/, '')}#${spec.apiKeyEnv ?? ''}`;
}

export function buildReviewers(
  names: readonly string[],
  sources: ReviewerSources,
  deps: BuildReviewersDeps,
  settings: ReviewSettings,
): BuiltReviewers {
  const reviewers: Reviewer[] = [];
  const problems: string[] = [];
  const random = deps.random ?? Math.random;
  for (const name of new Set(names)) {
    const spec = sources.specs.get(name);
    if (!spec) {
      problems.push(
        `reviewer "${name}" is not a known agent; configure agents.${name} or name another in review.reviewers`,
      );
      continue;
    }
    if (spec.unavailable) {
      problems.push(`reviewer "${name}" cannot run: ${spec.unavailable.reason}; ${spec.unavailable.fix}`);
      continue;
    }
    const thinks = descriptorOf(spec).thinks;
    if (typeof thinks === 'object' && 'none' in thinks) {
      problems.push(`reviewer "${name}" is a ${spec.adapter} agent, which cannot review; ${thinks.none}`);
      continue;
    }
    if (typeof thinks === 'object') {
      const endpoint = thinks.model(spec);
      const limiter = deps.limiters.get(providerKey(endpoint), limitsFor(settings, endpoint.baseUrl, name));
      reviewers.push(
        createChatReviewer(
          endpoint,
          { clock: deps.clock, environment: deps.environment, limiter, random },
          settings,
        ),
      );
      continue;
    }
    const agent = sources.agents.get(name);
    if (!agent) {
      problems.push(`reviewer "${name}" has no adapter here; run ai-collab doctor to see why`);
      continue;
    }
    const limiter = deps.limiters.get(`agent:${name}`, limitsFor(settings, undefined, name));
    const logsDir = deps.logsDir ?? ((runId: string) => join(tmpdir(), 'ai-collab-review', runId));
    reviewers.push(
      createAgentReviewer(
        agent,
        `${spec.adapter} ${spec.command} ${spec.model ?? ''}`,
        { clock: deps.clock, random, limiter, logsDir },
        settings,
      ),
    );
  }
  return { reviewers, problems };
}

/**
 * Reviewers when the configuration names none: every usable agent able to review, one per vendor, so the
 * swarm mixes vendors (their mistakes correlate less than one model's). OpenAI-compatible models come
 * first (cheap, and they take the protocol's temperatures), each its own vendor; then one agent CLI each
 * of claude, codex and gemini (`opus` is claude again), then an ACP agent only if nothing else can.
 */
export function defaultReviewerNames(specs: ReadonlyMap<string, AgentSpec>): string[] {
  const able = [...specs.values()].filter(
    (spec) =>
      !spec.unavailable &&
      descriptorOf(spec).defaultReviewer !== 'never' &&
      spec.capabilities.includes('review'),
  );
  const role = (spec: AgentSpec) => descriptorOf(spec).defaultReviewer;
  const models = able.filter((spec) => role(spec) === 'model').map((spec) => spec.name);
  const clis = adapterKinds.flatMap((adapter) => {
    const first = able.find((spec) => spec.adapter === adapter && role(spec) === 'vendor');
    return first ? [first.name] : [];
  });
  const chosen = [...models, ...clis];
  if (chosen.length > 0) return chosen;
  const lastResort = able.find((spec) => role(spec) === 'last-resort');
  return lastResort ? [lastResort.name] : [];
}
