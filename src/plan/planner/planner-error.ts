/**
 * The planner gave no plan that holds: its own module, so the command line can tell this failure apart
 * without loading the planner.
 */
import { OrchestratorError } from '../../support/errors.js';

export class PlannerError extends OrchestratorError {
  override readonly name = 'PlannerError';
  readonly problems: readonly string[];
  constructor(message: string, problems: readonly string[] = []) {
    super('PLAN_INVALID', message);
    this.problems = problems;
  }
}
