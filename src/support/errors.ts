/** The one error type the product throws: a stable `code` to branch on and an explicit `retryable`. */

export type ErrorCode =
  | 'PLAN_INVALID'
  | 'CONFIG_INVALID'
  | 'USAGE'
  | 'RUN_NOT_FOUND'
  | 'RUN_OWNED'
  | 'RUN_NOT_RESUMABLE'
  | 'STORE_FAILED'
  | 'STORE_CONFLICT'
  | 'AGENT_UNKNOWN'
  | 'INTERNAL';

export interface OrchestratorErrorOptions {
  retryable?: boolean;
  details?: Record<string, unknown>;
  cause?: unknown;
}

export class OrchestratorError extends Error {
  override readonly name: string = 'OrchestratorError';
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: ErrorCode, message: string, options: OrchestratorErrorOptions = {}) {
    super(message, { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.details = options.details ?? {};
  }
}

/** A problem with something the user gave us (a plan, a config file, a flag). The CLI exits 2 on it. */
export class InputError extends OrchestratorError {
  override readonly name = 'InputError';
  /** One line per problem, each naming the file, the field and the fix. */
  readonly problems: readonly string[];

  constructor(
    code: 'PLAN_INVALID' | 'CONFIG_INVALID' | 'USAGE' | 'RUN_NOT_FOUND' | 'RUN_OWNED' | 'RUN_NOT_RESUMABLE',
    message: string,
    problems: readonly string[] = [],
  ) {
    super(code, message);
    this.problems = problems;
  }
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
