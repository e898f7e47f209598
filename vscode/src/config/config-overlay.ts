/**
 * Extension settings → `AI_COLLAB_CONFIG_JSON`, the overlay the CLI merges over ai-collab.config.yaml.
 * Only settings the user actually set become keys: an unset setting must not override the project's file
 * (and a key the server's schema does not know would be refused, since unknown keys are errors).
 */
export const configOverlayVariable = 'AI_COLLAB_CONFIG_JSON';

export interface OverlaySettings {
  swarmSize?: number | null;
  consensusThreshold?: number | null;
  reviewers?: readonly string[] | null;
  approvalPolicy?: string | null;
}

const approvalPolicies: ReadonlySet<string> = new Set(['always', 'auto', 'never']);

export interface ConfigOverlay {
  review?: { swarmSize?: number; threshold?: number; reviewers?: string[] };
  approval?: { policy: 'always' | 'auto' | 'never' };
}

export function buildConfigOverlay(settings: OverlaySettings): ConfigOverlay {
  const review: NonNullable<ConfigOverlay['review']> = {};
  if (isCount(settings.swarmSize)) review.swarmSize = settings.swarmSize;
  if (typeof settings.consensusThreshold === 'number' && Number.isFinite(settings.consensusThreshold)) {
    review.threshold = settings.consensusThreshold;
  }
  const reviewers = (settings.reviewers ?? []).map((name) => name.trim()).filter((name) => name.length > 0);
  if (reviewers.length > 0) review.reviewers = reviewers;
  const overlay: ConfigOverlay = {};
  if (Object.keys(review).length > 0) overlay.review = review;
  const policy = settings.approvalPolicy;
  if (typeof policy === 'string' && approvalPolicies.has(policy)) {
    overlay.approval = { policy: policy as 'always' | 'auto' | 'never' };
  }
  return overlay;
}

/** The environment entry for the server, or none when no setting overrides the files. */
export function overlayEnvironment(overlay: ConfigOverlay): Record<string, string> {
  return Object.keys(overlay).length === 0 ? {} : { [configOverlayVariable]: JSON.stringify(overlay) };
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= 1;
}
