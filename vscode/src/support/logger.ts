/** The logging port (Temporal's shape). The extension's default writes to a log OutputChannel; tests collect lines. */
export type LogMeta = Readonly<Record<string, unknown>>;

export interface Logger {
  debug(message: string, meta?: LogMeta): void;
  info(message: string, meta?: LogMeta): void;
  warn(message: string, meta?: LogMeta): void;
  error(message: string, meta?: LogMeta): void;
}

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};

/**
 * `message` plus its meta as one line, with every known secret replaced. Redaction lives here, not in the
 * callers, so a token that slips into an error message or a stderr line never reaches the log.
 */
export function formatLogLine(
  message: string,
  meta: LogMeta | undefined,
  secrets: readonly string[],
): string {
  const text =
    meta === undefined || Object.keys(meta).length === 0 ? message : `${message} ${stringify(meta)}`;
  return redact(text, secrets);
}

export function redact(text: string, secrets: readonly string[]): string {
  let result = text;
  for (const secret of secrets) {
    // Short values would blank out ordinary words; real tokens and keys are long.
    if (secret.length >= 8) result = result.split(secret).join('***');
  }
  return result;
}

function stringify(meta: LogMeta): string {
  try {
    return JSON.stringify(meta, (_key, value: unknown) =>
      value instanceof Error ? { name: value.name, message: value.message } : value,
    );
  } catch {
    return '[unserializable meta]';
  }
}
