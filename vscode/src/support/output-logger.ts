/** The Logger port on a VS Code log OutputChannel ("AI Collab"); every line passes through redaction first. */
import type * as vscode from 'vscode';
import { formatLogLine, type Logger, type LogMeta } from './logger.js';

export function createOutputLogger(
  channel: vscode.LogOutputChannel,
  secrets: () => readonly string[],
): Logger {
  const line = (message: string, meta?: LogMeta): string => formatLogLine(message, meta, secrets());
  return {
    debug: (message, meta) => channel.debug(line(message, meta)),
    info: (message, meta) => channel.info(line(message, meta)),
    warn: (message, meta) => channel.warn(line(message, meta)),
    error: (message, meta) => channel.error(line(message, meta)),
  };
}
