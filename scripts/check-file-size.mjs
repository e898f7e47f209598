#!/usr/bin/env node
// Fails when a source file outgrows the house limit (style.md §3.3): split such files by phase.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const limits = { source: 500, test: 1500 };

function walk(directory) {
  return readdirSync(directory).flatMap((name) => {
    if (name === 'node_modules') return [];
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walk(path) : /\.(ts|js)$/.test(path) ? [path] : [];
  });
}

const breaches = [];
for (const base of ['src', 'test', 'bench'].filter((name) => existsSync(join(root, name)))) {
  for (const file of walk(join(root, base))) {
    const lines = readFileSync(file, 'utf8').split('\n').length;
    const limit = file.includes('/test/') || file.endsWith('.test.ts') ? limits.test : limits.source;
    if (lines > limit) breaches.push(`${relative(root, file)}: ${lines} lines (limit ${limit})`);
  }
}
if (breaches.length > 0) {
  process.stderr.write(`Files over the size limit:\n  ${breaches.join('\n  ')}\n`);
  process.exit(1);
}
