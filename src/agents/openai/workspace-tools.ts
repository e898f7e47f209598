/**
 * The tools an openai agent's model gets: list_files, read_file, write_file, edit_file — confined to the
 * step's workspace, bounded in size, and with no shell. Read-only steps get only the first two. Every
 * problem comes back as an error result the model can read and correct, never as a thrown error.
 */

import { errorCode } from '../../support/error-code.js';
import { isRecord } from '../../support/json-record.js';
import type { ChatToolDefinition } from './chat-types.js';
import {
  defaultToolLimits,
  listFiles,
  readTextFile,
  replaceUnique,
  sliceLines,
  type ToolLimits,
  ToolRefusal,
  writeTextFile,
} from './file-tools.js';
import { type PathPurpose, resolveWorkspacePath, workspaceRoot } from './workspace-paths.js';

export interface ToolOutcome {
  output: string;
  isError: boolean;
  /** Workspace-relative path the call created or changed. */
  changed?: string;
}

const pathProperty = { type: 'string', description: 'Path relative to the workspace root' };

const definitions: Record<'list_files' | 'read_file' | 'write_file' | 'edit_file', ChatToolDefinition> = {
  list_files: tool(
    'list_files',
    'List files and directories under a directory of the workspace (recursive; directories end with /).',
    {
      path: { type: 'string', description: 'Directory relative to the workspace root; default "."' },
    },
    [],
  ),
  read_file: tool(
    'read_file',
    'Read a text file of the workspace. Long files come in pages of lines.',
    {
      path: pathProperty,
      offset: { type: 'integer', description: 'First line to read, from 1' },
      limit: { type: 'integer', description: 'Number of lines to read' },
    },
    ['path'],
  ),
  write_file: tool(
    'write_file',
    'Create or overwrite a file of the workspace with the given content (parent directories are created).',
    {
      path: pathProperty,
      content: { type: 'string', description: 'The complete new content of the file' },
    },
    ['path', 'content'],
  ),
  edit_file: tool(
    'edit_file',
    'Replace one exact occurrence of old_string with new_string in a file. old_string must match exactly once, including whitespace.',
    {
      path: pathProperty,
      old_string: { type: 'string', description: 'The exact text to replace; unique in the file' },
      new_string: { type: 'string', description: 'The replacement text' },
    },
    ['path', 'old_string', 'new_string'],
  ),
};

function tool(
  name: string,
  description: string,
  properties: Record<string, unknown>,
  required: string[],
): ChatToolDefinition {
  return {
    type: 'function',
    function: {
      name,
      description,
      parameters: { type: 'object', properties, required, additionalProperties: false },
    },
  };
}

/** Cap on any one result sent back to the model, whatever the tool. */
const maxOutputChars = 512 * 1024;

export class WorkspaceTools {
  readonly #root: string;
  readonly #readOnly: boolean;
  readonly #limits: ToolLimits;

  private constructor(root: string, readOnly: boolean, limits: ToolLimits) {
    this.#root = root;
    this.#readOnly = readOnly;
    this.#limits = limits;
  }

  static async open(
    workspace: string,
    options: { readOnly: boolean; limits?: Partial<ToolLimits> },
  ): Promise<WorkspaceTools> {
    const limits = { ...defaultToolLimits, ...options.limits };
    return new WorkspaceTools(await workspaceRoot(workspace), options.readOnly, limits);
  }

  get definitions(): ChatToolDefinition[] {
    const names = this.#readOnly
      ? (['list_files', 'read_file'] as const)
      : (['list_files', 'read_file', 'write_file', 'edit_file'] as const);
    return names.map((name) => definitions[name]);
  }

  /** Runs one call; `argumentsText` is the model's JSON, which may be anything. */
  async run(name: string, argumentsText: string): Promise<ToolOutcome> {
    try {
      const args = parseArguments(argumentsText);
      const outcome = await this.#dispatch(name, args);
      return outcome.output.length > maxOutputChars
        ? {
            ...outcome,
            output: `${outcome.output.slice(0, maxOutputChars)}\n[output cut at ${maxOutputChars} characters]`,
          }
        : outcome;
    } catch (error) {
      const message = error instanceof ToolRefusal ? error.message : describeError(error);
      return { output: `Error: ${message}`, isError: true };
    }
  }

  async #dispatch(name: string, args: Record<string, unknown>): Promise<ToolOutcome> {
    switch (name) {
      case 'list_files': {
        const target = await this.#resolve(optionalString(args, 'path') ?? '.', 'read');
        return { output: await listFiles(this.#root, target.relative, this.#limits), isError: false };
      }
      case 'read_file': {
        const target = await this.#resolve(requiredString(args, 'path'), 'read');
        const text = await readTextFile(target.absolute, target.relative, this.#limits);
        const output = sliceLines(
          text,
          optionalInteger(args, 'offset'),
          optionalInteger(args, 'limit'),
          this.#limits,
        );
        return { output, isError: false };
      }
      case 'write_file': {
        const target = await this.#resolve(requiredString(args, 'path'), 'write', name);
        const content = requiredString(args, 'content');
        const { created, bytes } = await writeTextFile(
          target.absolute,
          target.relative,
          content,
          this.#limits,
        );
        const verb = created ? 'created' : 'overwrote';
        return {
          output: `${verb} ${target.relative} (${bytes} bytes)`,
          isError: false,
          changed: target.relative,
        };
      }
      case 'edit_file': {
        const target = await this.#resolve(requiredString(args, 'path'), 'write', name);
        const oldString = requiredString(args, 'old_string');
        const newString = requiredString(args, 'new_string');
        const before = await readTextFile(target.absolute, target.relative, this.#limits);
        const after = replaceUnique(before, oldString, newString, target.relative);
        await writeTextFile(target.absolute, target.relative, after, this.#limits);
        return {
          output: `edited ${target.relative}: replaced 1 occurrence`,
          isError: false,
          changed: target.relative,
        };
      }
      default:
        throw new ToolRefusal(
          `there is no tool named ${name}; the tools are ${this.definitions.map((d) => d.function.name).join(', ')}`,
        );
    }
  }

  async #resolve(
    path: string,
    purpose: PathPurpose,
    tool?: string,
  ): Promise<{ absolute: string; relative: string }> {
    if (purpose === 'write' && this.#readOnly) {
      throw new ToolRefusal(`${tool ?? 'writing'} is not available in a read-only step`);
    }
    const resolved = await resolveWorkspacePath(this.#root, path, purpose);
    if (!resolved.ok) throw new ToolRefusal(resolved.reason);
    return resolved;
  }
}

function parseArguments(text: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = text.trim() === '' ? {} : JSON.parse(text);
  } catch {
    throw new ToolRefusal(`the arguments are not valid JSON: ${text.slice(0, 200)}`);
  }
  if (!isRecord(parsed)) throw new ToolRefusal('the arguments must be a JSON object');
  return parsed;
}

function requiredString(args: Record<string, unknown>, name: string): string {
  const value = args[name];
  if (typeof value !== 'string') throw new ToolRefusal(`the argument ${name} (a string) is missing`);
  return value;
}

function optionalString(args: Record<string, unknown>, name: string): string | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new ToolRefusal(`the argument ${name} must be a string`);
  return value;
}

/** Models sometimes send numbers as strings ("10"); both are accepted. */
function optionalInteger(args: Record<string, unknown>, name: string): number | undefined {
  const value = args[name];
  if (value === undefined || value === null || value === '') return undefined;
  const number = typeof value === 'string' ? Number(value) : value;
  if (typeof number !== 'number' || !Number.isInteger(number) || number < 1) {
    throw new ToolRefusal(`the argument ${name} must be a whole number of at least 1`);
  }
  return number;
}

function describeError(error: unknown): string {
  const code = errorCode(error);
  if (code === 'ENOENT') return 'no such file or directory';
  if (code === 'ENOTDIR') return 'a component of the path is not a directory';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  if (code === 'EISDIR') return 'that is a directory';
  if (code === 'ELOOP') return 'too many levels of symlinks';
  return error instanceof Error ? error.message : String(error);
}
