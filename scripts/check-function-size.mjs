#!/usr/bin/env node
// Fails when a function in src/, web/src or vscode/src is longer than the house limit (style.md: split long functions by phase).
// Measured with the TypeScript parser: every function, method, accessor, constructor and arrow function,
// from its first line to its last (a function holding a nested one counts the nested lines too).
// `--top N` lists the N longest instead of checking.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import ts from 'typescript';

const root = new URL('..', import.meta.url).pathname;
const limit = 100;
// The product, its dashboard and the VS Code extension.
const roots = ['src', 'web/src', 'vscode/src'];

function walk(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walk(path) : /\.(tsx?|js)$/.test(path) ? [path] : [];
  });
}

function nameOf(node, source) {
  if (node.name) return node.name.getText(source);
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  const parent = node.parent;
  if (
    parent &&
    (ts.isVariableDeclaration(parent) || ts.isPropertyAssignment(parent) || ts.isPropertyDeclaration(parent))
  )
    return parent.name.getText(source);
  return '(anonymous)';
}

const functions = [];
const topIndex = process.argv.indexOf('--top');
for (const file of roots.flatMap((base) => walk(join(root, base)))) {
  const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node) => {
    if (ts.isFunctionLike(node) && 'body' in node && node.body) {
      const first = source.getLineAndCharacterOfPosition(node.getStart(source)).line;
      const last = source.getLineAndCharacterOfPosition(node.getEnd()).line;
      functions.push({
        where: `${relative(root, file)}:${first + 1}`,
        name: nameOf(node, source),
        lines: last - first + 1,
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
}
functions.sort((a, b) => b.lines - a.lines);

if (topIndex !== -1) {
  for (const fn of functions.slice(0, Number(process.argv[topIndex + 1] ?? 10)))
    process.stdout.write(`${fn.lines}\t${fn.name}\t${fn.where}\n`);
  process.exit(0);
}
const long = functions.filter((fn) => fn.lines > limit);
if (long.length > 0) {
  process.stderr.write(
    `Functions over ${limit} lines (split them by phase):\n  ${long.map((fn) => `${fn.where} ${fn.name}: ${fn.lines} lines`).join('\n  ')}\n`,
  );
  process.exit(1);
}
