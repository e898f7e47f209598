/**
 * Reads the few settings of codex's own `config.toml` the adapter needs (which model provider is selected
 * and what its table sets). Deliberately a TOML subset: top-level and `[table]` keys with simple values,
 * which is all those settings use; anything else is ignored, never an error.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Table name (`''` for the top level, `model_providers.x` for `[model_providers.x]`) → key → raw value. */
export type CodexConfigTables = Map<string, Map<string, string>>;

/** Where codex looks for its configuration: `$CODEX_HOME`, else `~/.codex`. */
export function codexHomeOf(environment: Readonly<Record<string, string | undefined>>): string | undefined {
  if (environment.CODEX_HOME) return environment.CODEX_HOME;
  return environment.HOME ? join(environment.HOME, '.codex') : undefined;
}

export function readCodexConfig(codexHome: string | undefined): CodexConfigTables {
  if (!codexHome) return new Map();
  try {
    return parseCodexConfig(readFileSync(join(codexHome, 'config.toml'), 'utf8'));
  } catch {
    // No file (the common case) or an unreadable one: codex itself reports a broken file when it starts.
    return new Map();
  }
}

export function parseCodexConfig(text: string): CodexConfigTables {
  let current = new Map<string, string>();
  const tables: CodexConfigTables = new Map([['', current]]);
  for (const rawLine of text.split('\n')) {
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;
    const header = /^\[\s*([^[\]]+?)\s*\]\s*(?:#.*)?$/.exec(line);
    if (header?.[1]) {
      const name = normaliseKey(header[1]);
      current = tables.get(name) ?? new Map();
      tables.set(name, current);
      continue;
    }
    if (line.startsWith('[')) {
      // An array of tables ([[x]]): nothing the adapter reads lives there.
      current = new Map();
      continue;
    }
    const pair =
      /^((?:"[^"]*"|'[^']*'|[A-Za-z0-9_.-]+)(?:\s*\.\s*(?:"[^"]*"|'[^']*'|[A-Za-z0-9_-]+))*)\s*=\s*(.*)$/.exec(
        line,
      );
    if (!pair?.[1] || pair[2] === undefined) continue;
    current.set(normaliseKey(pair[1]), unquote(pair[2]));
  }
  return tables;
}

/** `model_providers."my-id"` → `model_providers.my-id`. */
function normaliseKey(key: string): string {
  return key
    .split(/\.(?=(?:[^"']*["'][^"']*["'])*[^"']*$)/)
    .map((segment) => segment.trim().replace(/^["'](.*)["']$/, '$1'))
    .join('.');
}

function unquote(value: string): string {
  const text = value.trim();
  const quoted = /^"((?:[^"\\]|\\.)*)"|^'([^']*)'/.exec(text);
  if (quoted) return quoted[1] ?? quoted[2] ?? '';
  return text.replace(/\s+#.*$/, '');
}
