/** One thing wrong with a plan, located by a JSON path such as `steps[2].needs[0]`. */
import type { z } from 'zod';
import type { PathSegment } from '../support/json-path.js';

export { formatPath, type PathSegment } from '../support/json-path.js';

export interface PlanProblem {
  path: PathSegment[];
  message: string;
}

/** What a schema issue says; a bad record key (an agent or environment name) says why, not "Invalid key in record". */
export function issueMessage(issue: z.core.$ZodIssue): string {
  if (issue.code === 'invalid_key') {
    const inner = issue.issues[0];
    return inner ? issueMessage(inner) : issue.message;
  }
  return issue.message;
}
