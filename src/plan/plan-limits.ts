/** Bounds on plan input, checked before the expensive work so a huge or hostile file fails fast. */
export interface PlanLimits {
  maxFileBytes: number;
  maxSteps: number;
  maxIdLength: number;
  maxTextBytes: number;
  maxCommandBytes: number;
  maxNeedsPerStep: number;
  /** Deepest nesting of lists and mappings; plans are flat lists of steps, a few levels deep. */
  maxDepth: number;
  /** Problems listed before the rest is summarised as "and N more". */
  maxReportedProblems: number;
}

export const defaultPlanLimits: PlanLimits = {
  maxFileBytes: 32 * 1024 * 1024,
  maxSteps: 200_000,
  maxIdLength: 200,
  maxTextBytes: 256 * 1024,
  maxCommandBytes: 64 * 1024,
  maxNeedsPerStep: 1_000,
  maxDepth: 64,
  maxReportedProblems: 50,
};
