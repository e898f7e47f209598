import type { Logger, LogMeta } from '../../src/support/logger.js';

export interface LogLine {
  level: 'debug' | 'info' | 'warn' | 'error';
  message: string;
  meta?: LogMeta;
}

/** Collects log lines so tests can assert on what the user would read in the output channel. */
export class MemoryLogger implements Logger {
  readonly lines: LogLine[] = [];

  debug(message: string, meta?: LogMeta): void {
    this.lines.push({ level: 'debug', message, ...(meta && { meta }) });
  }

  info(message: string, meta?: LogMeta): void {
    this.lines.push({ level: 'info', message, ...(meta && { meta }) });
  }

  warn(message: string, meta?: LogMeta): void {
    this.lines.push({ level: 'warn', message, ...(meta && { meta }) });
  }

  error(message: string, meta?: LogMeta): void {
    this.lines.push({ level: 'error', message, ...(meta && { meta }) });
  }

  messages(level?: LogLine['level']): string[] {
    return this.lines
      .filter((line) => level === undefined || line.level === level)
      .map((line) => line.message);
  }
}
