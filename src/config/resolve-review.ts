/**
 * The `review:` section across config layers: nearer layers win key by key (`limits` provider by
 * provider), the merged result is checked as a whole (a `maxAbstain` from one file must still fit the
 * `swarmSize` of another), and every reviewer named must be an agent this configuration knows.
 */
import { formatPath } from '../plan/plan-problem.js';
import {
  type ReviewSettings,
  type ReviewSettingsInput,
  resolveReviewSettings,
  reviewSettingsSchema,
} from '../review/review-settings.js';
import { InputError } from '../support/errors.js';

export interface ReviewLayer {
  file: string;
  review: ReviewSettingsInput | undefined;
}

/** `layers` nearest first, as `loadConfig` collects them. */
export function resolveReviewLayers(layers: readonly ReviewLayer[]): {
  settings: ReviewSettings;
  /** The file the reviewer list came from, for messages about its names. */
  reviewersFrom: string | undefined;
} {
  let merged: ReviewSettingsInput = {};
  let reviewersFrom: string | undefined;
  const sources: string[] = [];
  for (const { file, review } of [...layers].reverse()) {
    if (!review) continue;
    sources.unshift(file);
    if (review.reviewers !== undefined) reviewersFrom = file;
    merged = {
      ...merged,
      ...review,
      ...((merged.limits || review.limits) && { limits: { ...merged.limits, ...review.limits } }),
    };
  }
  const checked = reviewSettingsSchema.safeParse(merged);
  if (!checked.success) {
    const where = sources.join(' with ');
    throw new InputError(
      'CONFIG_INVALID',
      `invalid configuration ${where}`,
      checked.error.issues.map(
        (issue) =>
          `${where} ${formatPath(['review', ...(issue.path as (string | number)[])])}: ${issue.message}`,
      ),
    );
  }
  return { settings: resolveReviewSettings(checked.data), reviewersFrom };
}

/** Reviewer names that are no agent here: an input error naming the file, the key and the fix. */
export function checkReviewerNames(
  settings: ReviewSettings,
  knownAgents: ReadonlySet<string>,
  file: string | undefined,
): void {
  const unknown = settings.reviewers.flatMap((name, index) =>
    knownAgents.has(name) ? [] : [{ name, index }],
  );
  if (unknown.length === 0) return;
  const where = file ?? 'the configuration';
  throw new InputError(
    'CONFIG_INVALID',
    `invalid configuration ${where}`,
    unknown.map(
      ({ name, index }) =>
        `${where} review.reviewers[${index}]: "${name}" is not an agent; define agents.${name} (e.g. an openai adapter with baseUrl and model) or name one of: ${[...knownAgents].sort().join(', ')}`,
    ),
  );
}
