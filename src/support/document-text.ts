/**
 * Parses the YAML and JSON documents people hand us (plans, configuration) strictly: a problem that the
 * parsers would let pass or turn into a crash becomes one described problem at a line instead. Nesting is
 * bounded before anything recursive runs (the YAML composer, the locator, zod), duplicate JSON keys are
 * found (JSON.parse keeps the last one silently), and YAML warnings such as unknown tags (`!!js/function`,
 * which the parser would turn into a plain string) are errors.
 */
import { Composer, type CST, LineCounter, Parser, type YAMLError } from 'yaml';
import { formatPath } from './json-path.js';

export interface TextPosition {
  line: number;
  col: number;
}

export type DocumentProblemKind = 'syntax' | 'nesting' | 'duplicate-key';

export interface DocumentProblem {
  kind: DocumentProblemKind;
  message: string;
  position?: TextPosition;
}

export type DocumentParse = { ok: true; value: unknown } | { ok: false; problem: DocumentProblem };

export interface DocumentLimits {
  /** Deepest nesting of collections accepted. */
  maxDepth: number;
  /** Aliases expanded at most (YAML), against "billion laughs" documents. */
  maxAliasCount: number;
}

export function parseYamlDocument(text: string, limits: DocumentLimits): DocumentParse {
  const lineCounter = new LineCounter();
  // The lexer and parser are iterative; only composing the tokens into values recurses, so depth is
  // measured on the tokens first.
  const tokens = [...new Parser(lineCounter.addNewLine).parse(text)];
  const tooDeep = firstTooDeepOffset(tokens, limits.maxDepth);
  if (tooDeep !== undefined) return nestingProblem(limits.maxDepth, lineCounter.linePos(tooDeep));
  const composer = new Composer({ uniqueKeys: true });
  const documents = [...composer.compose(tokens, true, text.length)];
  if (documents.length > 1) {
    return syntaxProblem(
      'more than one document (a --- line); keep one document per file',
      lineCounter.linePos(documents[1]?.range[0] ?? 0),
    );
  }
  const document = documents[0];
  if (!document) return { ok: true, value: null };
  const problem = document.errors[0] ?? document.warnings[0];
  if (problem) return syntaxProblem(describeYamlError(problem), lineCounter.linePos(problem.pos[0]));
  return { ok: true, value: document.toJS({ maxAliasCount: limits.maxAliasCount }) };
}

export function parseJsonDocument(text: string, limits: Pick<DocumentLimits, 'maxDepth'>): DocumentParse {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const offset = /position (\d+)/.exec(message)?.[1];
    return {
      ok: false,
      problem: {
        kind: 'syntax',
        message,
        ...(offset !== undefined && { position: positionOf(text, Number(offset)) }),
      },
    };
  }
  const structure = checkJsonStructure(text, limits.maxDepth);
  return structure ?? { ok: true, value };
}

/**
 * `file:line:col: what` for a problem, e.g. `plan.yaml:3:7: nesting deeper than 64 levels; plans are flat
 * lists of steps`. `shape` says what the document should look like, for nesting problems.
 */
export function describeDocumentProblem(
  file: string,
  format: 'YAML' | 'JSON',
  problem: DocumentProblem,
  shape: string,
): string {
  const where = problem.position ? `:${problem.position.line}:${problem.position.col}` : '';
  if (problem.kind === 'syntax') return `${file}${where}: not valid ${format}: ${problem.message}`;
  if (problem.kind === 'nesting') return `${file}${where}: ${problem.message}; ${shape}`;
  return `${file}${where}: ${problem.message}`;
}

/** `line:column` of a character offset, counting from 1. */
export function positionOf(text: string, offset: number): TextPosition {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text.charCodeAt(index) === 10) {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, col: offset - lineStart + 1 };
}

function nestingProblem(maxDepth: number, position: TextPosition): DocumentParse {
  return {
    ok: false,
    problem: { kind: 'nesting', message: `nesting deeper than ${maxDepth} levels`, position },
  };
}

function syntaxProblem(message: string, position: TextPosition): DocumentParse {
  return { ok: false, problem: { kind: 'syntax', message, position } };
}

function describeYamlError(error: YAMLError): string {
  if (error.code === 'TAG_RESOLVE_FAILED') {
    const tag = /tag: (\S+)/i.exec(error.message)?.[1] ?? '';
    const shown = tag.replace(/^tag:yaml\.org,2002:/, '!!');
    return `unknown tag ${shown}; remove it (plain values need no tag) or quote the value`;
  }
  return error.message.split('\n')[0] ?? error.message;
}

/** Offset of the first collection nested deeper than `maxDepth`, walking the tokens without recursion. */
function firstTooDeepOffset(tokens: readonly CST.Token[], maxDepth: number): number | undefined {
  const stack: Array<{ token: CST.Token; depth: number }> = tokens.map((token) => ({ token, depth: 0 }));
  while (stack.length > 0) {
    const { token, depth } = stack.pop() as { token: CST.Token; depth: number };
    switch (token.type) {
      case 'document':
        if (token.value) stack.push({ token: token.value, depth });
        break;
      case 'block-map':
      case 'block-seq':
      case 'flow-collection':
        if (depth + 1 > maxDepth) return token.offset;
        for (const item of token.items) {
          if ('key' in item && item.key) stack.push({ token: item.key, depth: depth + 1 });
          if (item.value) stack.push({ token: item.value, depth: depth + 1 });
        }
        break;
      default:
        break;
    }
  }
  return undefined;
}

interface JsonFrame {
  kind: 'object' | 'array';
  keys?: Set<string>;
  /** The key whose value is being read (objects) or the index of the current element (arrays). */
  at: string | number;
  expectKey: boolean;
}

/**
 * One pass over text that JSON.parse accepted: the first object key that appears twice, or the first
 * collection nested too deep. Works on the text because the parsed value has already lost both.
 */
function checkJsonStructure(text: string, maxDepth: number): DocumentParse | undefined {
  const frames: JsonFrame[] = [];
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    const frame = frames[frames.length - 1];
    if (code === 0x22 /* " */) {
      const end = stringEnd(text, index);
      if (frame?.kind === 'object' && frame.expectKey) {
        const raw = text.slice(index, end + 1);
        const key = raw.includes('\\') ? String(JSON.parse(raw)) : raw.slice(1, -1);
        if (frame.keys?.has(key)) {
          return {
            ok: false,
            problem: {
              kind: 'duplicate-key',
              message: `duplicate key ${formatPath([...frames.slice(0, -1).map((outer) => outer.at), key])}; JSON would keep only the last one, so remove one of them`,
              position: positionOf(text, index),
            },
          };
        }
        frame.keys?.add(key);
        frame.at = key;
        frame.expectKey = false;
      }
      index = end;
    } else if (code === 0x7b /* { */ || code === 0x5b /* [ */) {
      if (frames.length + 1 > maxDepth) return nestingProblem(maxDepth, positionOf(text, index));
      frames.push(
        code === 0x7b
          ? { kind: 'object', keys: new Set(), at: '', expectKey: true }
          : { kind: 'array', at: 0, expectKey: false },
      );
    } else if (code === 0x7d /* } */ || code === 0x5d /* ] */) {
      frames.pop();
    } else if (code === 0x2c /* , */ && frame) {
      if (frame.kind === 'object') frame.expectKey = true;
      else frame.at = (frame.at as number) + 1;
    }
  }
  return undefined;
}

/** Index of the closing quote of the JSON string that opens at `start`. */
function stringEnd(text: string, start: number): number {
  let quote = text.indexOf('"', start + 1);
  while (quote !== -1) {
    // The quote closes the string unless an odd number of backslashes escapes it.
    let backslashes = 0;
    while (text.charCodeAt(quote - 1 - backslashes) === 0x5c) backslashes++;
    if (backslashes % 2 === 0) return quote;
    quote = text.indexOf('"', quote + 1);
  }
  return text.length - 1;
}
