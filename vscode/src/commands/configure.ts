/** AI Collab: Configure (the settings, filtered) and AI Collab: Set API Key (into SecretStorage, never settings). */
import * as vscode from 'vscode';
import { isEnvironmentName, knownKeyNames, secretKeyOf } from '../config/api-keys.js';
import { settingsSection } from '../config/settings.js';
import { ExtensionError } from '../support/errors.js';
import type { Services } from './services.js';

/** globalState key: names of custom key variables (names only; the values are secrets). */
export const customKeyNamesKey = 'aiCollab.customKeyNames';

export async function configure(): Promise<void> {
  await vscode.commands.executeCommand(
    'workbench.action.openSettings',
    `@ext:ai-collab.ai-collab ${settingsSection}`,
  );
}

export async function setApiKey(services: Services): Promise<string | undefined> {
  const custom = 'Another variable…';
  const picked = await vscode.window.showQuickPick([...knownKeyNames, custom], {
    title: 'AI Collab: Set API Key',
    placeHolder: 'The environment variable the agent or provider reads',
  });
  if (!picked) return undefined;
  const name =
    picked === custom
      ? await vscode.window.showInputBox({
          title: 'Variable name',
          validateInput: (value) =>
            isEnvironmentName(value) ? undefined : 'Letters, digits and _, not starting with a digit',
        })
      : picked;
  if (!name) return undefined;
  if (!isEnvironmentName(name))
    throw new ExtensionError('USAGE', `${name} is not an environment variable name`);
  const value = await vscode.window.showInputBox({
    title: `AI Collab: ${name}`,
    prompt: 'Stored in VS Code’s secret storage and passed to the server it starts; empty removes it',
    password: true,
    ignoreFocusOut: true,
  });
  if (value === undefined) return undefined;
  const { secrets, globalState } = services.context;
  if (value === '') await secrets.delete(secretKeyOf(name));
  else await secrets.store(secretKeyOf(name), value);
  if (!(knownKeyNames as readonly string[]).includes(name)) {
    const names = new Set(globalState.get<string[]>(customKeyNamesKey, []));
    names.add(name);
    await globalState.update(customKeyNamesKey, [...names]);
  }
  const restart = await vscode.window.showInformationMessage(
    `AI Collab: ${name} ${value === '' ? 'removed' : 'saved'}. The server reads it when it starts.`,
    'Restart Server',
  );
  if (restart) await services.host.restart();
  return name;
}
