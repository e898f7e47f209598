/** Diagnostics as a port. Library code logs through this, never through `console`. */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
}

const levelRank: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export const silentLogger: Logger = {
  debug() {},
  info() {},
  warn() {},
  error() {},
};

/**
 * JSON lines on a writable stream (stderr by default), at or above `level`. Errors in `meta` are
 * flattened to their message and code, because a stack trace is not for users and may carry paths.
 */
export function createJsonLogger(
  options: { level?: LogLevel; write?: (line: string) => void; now?: () => number } = {},
): Logger {
  const threshold = levelRank[options.level ?? 'warn'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const now = options.now ?? Date.now;
  const log =
    (level: LogLevel) =>
    (message: string, meta?: Record<string, unknown>): void => {
      if (levelRank[level] < threshold) return;
      const record = { at: new Date(now()).toISOString(), level, message, ...flattenMeta(meta) };
      write(`${JSON.stringify(record)}\n`);
    };
  return { debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}

function flattenMeta(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const flat: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(meta)) {
    if (value instanceof Error) {
      const code = 'code' in value ? value.code : undefined;
      flat[key] = code === undefined ? value.message : { message: value.message, code };
    } else {
      flat[key] = value;
    }
  }
  return flat;
}

export function parseLogLevel(value: string | undefined): LogLevel | undefined {
  if (value === 'debug' || value === 'info' || value === 'warn' || value === 'error') return value;
  return undefined;
}
