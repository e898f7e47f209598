/**
 * The one base error the product throws: a stable `code` to branch on, and a `kind` that says what a retry
 * can do about it (the same `FailureKind` a step failure carries, so thrown errors and returned failures
 * are retried by one rule).
 */

/**
 * What a retry can do about a failure:
 * - `transient`: the same attempt may well succeed later (a crash, a timeout, a 5xx, git's lock): retried
 *   with backoff while the step has retries left;
 * - `permanent`: it would fail the same way again (bad input, auth, a refusal): not retried;
 * - `usage-limit`: a plan's quota ran out: the step waits for the reset without spending a retry.
 */
export type FailureKind = 'transient' | 'permanent' | 'usage-limit';

/** What the user asked for cannot be done as asked (exit 2). */
export type InputErrorCode =
  | 'PLAN_INVALID'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'RUN_NOT_FOUND'
  | 'RUN_OWNED'
  | 'RUN_NOT_RESUMABLE'
  /** The run's work was already applied or discarded (`ai-collab apply`/`discard` refuse a second time). */
  | 'RUN_ALREADY_LANDED';

export type ErrorCode =
  | InputErrorCode
  | 'STORE_FAILED'
  | 'STORE_CONFLICT'
  /** The store holds something this version cannot read as what it claims to be (an edited or damaged log). */
  | 'STORE_CORRUPT'
  | 'AGENT_UNKNOWN'
  | 'INTERNAL';

export interface OrchestratorErrorOptions {
  /** @default 'permanent' */
  kind?: FailureKind;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class OrchestratorError extends Error {
  override readonly name: string = 'OrchestratorError';
  readonly code: ErrorCode;
  readonly kind: FailureKind;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: OrchestratorErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.kind = options.kind ?? 'permanent';
    this.details = options.details ?? {};
  }
}

/** A problem with something the user gave us (a plan, a config file, a flag). The CLI exits 2 on it. */
export class InputError extends OrchestratorError {
  override readonly name = 'InputError';
  /** One line per problem, each naming the file, the field and the fix. */
  readonly problems: readonly string[];

  constructor(code: InputErrorCode, message: string, problems: readonly string[] = []) {
    super(code, message);
    this.problems = problems;
  }
}

/** The kind of a thrown error: its own when it is one of ours, else `otherwise` (what the caller knows). */
export function failureKindOf(error: unknown, otherwise: FailureKind): FailureKind {
  return error instanceof OrchestratorError ? error.kind : otherwise;
}

export function isInputError(error: unknown): error is InputError {
  return error instanceof InputError;
}

export function errorMessage(error: unknown): string {
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Exhaustiveness guard for switches over discriminated unions. */
export function assertNever(value: never, what = 'value'): never {
  throw new OrchestratorError('INTERNAL', `unexpected ${what}: ${JSON.stringify(value)}`);
}
