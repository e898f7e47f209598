/** The extension's one error shape: a machine-readable code, a message written for the user, optional details. */
export type ExtensionErrorCode =
  /** The server process could not be started, or did not become ready in time. */
  | 'SERVER_START_FAILED'
  /** The server crashed too often in a short time; the supervisor gave up until the user restarts it. */
  | 'SERVER_CRASH_LOOP'
  /** No server is available (stopped, or the supervisor is shutting down). */
  | 'SERVER_UNAVAILABLE'
  /** `server.json` exists but cannot be trusted (permissions, owner, shape). */
  | 'SERVER_FILE_UNSAFE'
  /** The server answered with an error status. */
  | 'API_ERROR'
  /** The server could not be reached or did not answer in time. */
  | 'NETWORK'
  /** The server's answer did not have the expected shape. */
  | 'BAD_RESPONSE'
  /** The workspace is in Restricted Mode and the command would run agents. */
  | 'UNTRUSTED'
  /** The user gave input the command cannot use (no selection, no plan file…). */
  | 'USAGE';

export class ExtensionError extends Error {
  readonly code: ExtensionErrorCode;
  /** Lines the user may need to act on (plan problems, the server's last stderr lines). */
  readonly details: readonly string[];

  constructor(
    code: ExtensionErrorCode,
    message: string,
    options: { details?: readonly string[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ExtensionError';
    this.code = code;
    this.details = options.details ?? [];
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function assertNever(value: never): never {
  throw new Error(`unexpected value ${JSON.stringify(value)}`);
}
