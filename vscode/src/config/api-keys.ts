/**
 * Provider API keys live in VS Code's SecretStorage under `aiCollab.env.<NAME>` and reach the spawned
 * server as environment variables only; they are never written to settings or files.
 */
export const knownKeyNames = [
  'ANTHROPIC_API_KEY',
  'OPENAI_API_KEY',
  'GEMINI_API_KEY',
  'OPENROUTER_API_KEY',
  'HF_TOKEN',
] as const;

const environmentName = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function isEnvironmentName(name: string): boolean {
  return environmentName.test(name) && name.length <= 128;
}

export function secretKeyOf(name: string): string {
  return `aiCollab.env.${name}`;
}

/** Minimal view of SecretStorage, so this module is tested without VS Code. */
export interface SecretReader {
  get(key: string): PromiseLike<string | undefined>;
}

/** The stored keys as environment entries, for the names given (known ones plus any custom ones). */
export async function apiKeyEnvironment(
  secrets: SecretReader,
  names: readonly string[],
): Promise<Record<string, string>> {
  const environment: Record<string, string> = {};
  for (const name of new Set(names)) {
    if (!isEnvironmentName(name)) continue;
    const value = await secrets.get(secretKeyOf(name));
    if (value) environment[name] = value;
  }
  return environment;
}
