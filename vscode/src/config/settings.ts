/** The extension's settings, read once per use; only values a user actually set count for the overlay. */
import * as vscode from 'vscode';
import type { OverlaySettings } from './config-overlay.js';

export const settingsSection = 'aiCollab';

export interface ExtensionSettings extends OverlaySettings {
  serverCommand: string;
  autoStart: boolean;
  planner: string;
  healthCheckIntervalSeconds: number;
  maxMemoryMB: number;
}

export function readSettings(scope?: vscode.Uri): ExtensionSettings {
  const config = vscode.workspace.getConfiguration(settingsSection, scope);
  const explicit = <T>(key: string): T | undefined => {
    const inspected = config.inspect<T>(key);
    return inspected?.workspaceFolderValue ?? inspected?.workspaceValue ?? inspected?.globalValue;
  };
  return {
    serverCommand: config.get<string>('serverCommand', ''),
    autoStart: config.get<boolean>('autoStart', true),
    planner: config.get<string>('planner', ''),
    healthCheckIntervalSeconds: config.get<number>('healthCheckIntervalSeconds', 10),
    maxMemoryMB: config.get<number>('maxMemoryMB', 2048),
    swarmSize: explicit<number | null>('swarmSize') ?? null,
    consensusThreshold: explicit<number | null>('consensusThreshold') ?? null,
    reviewers: explicit<string[]>('reviewers') ?? null,
    approvalPolicy: explicit<string | null>('approvalPolicy') ?? null,
  };
}

/** Settings whose change only takes effect when the server starts again. */
export const serverSettings = [
  'serverCommand',
  'swarmSize',
  'consensusThreshold',
  'reviewers',
  'approvalPolicy',
  'maxMemoryMB',
  'healthCheckIntervalSeconds',
].map((key) => `${settingsSection}.${key}`);
