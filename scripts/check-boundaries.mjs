#!/usr/bin/env node
// Enforces the layers of DESIGN.md: a room imports only from rooms below it, never above.
// Also keeps the projection free of Node APIs, because the dashboard and VS Code reuse it in a browser.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const src = join(root, 'src');

// Rank of each room: imports must go to an equal or lower rank (same rank only within the room).
const rank = {
  support: 0,
  protocol: 0,
  store: 1,
  limits: 2,
  agents: 3,
  engine: 4,
  plan: 5,
  review: 5,
  workspace: 5,
  config: 6,
  // Distributed mode: the coordinator's remote agents and git endpoint, and the worker.
  distributed: 7,
  // Front ends: the MCP server stands alone, the HTTP server also hosts MCP over HTTP,
  // and the CLI composes them all (`ai-collab serve`, `ai-collab mcp`).
  mcp: 7,
  server: 8,
  cli: 9,
};
const browserSafe = [
  'engine/projection.ts',
  'engine/run-state.ts',
  'engine/events.ts',
  'protocol/plan-types.ts',
  // The stream's wire contract (message shapes, subprotocol names): the dashboard speaks it too.
  'server/stream/stream-protocol.ts',
];

function walk(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walk(path) : path.endsWith('.ts') ? [path] : [];
  });
}

// The workspace room runs git in exactly one place, where every call gets its safety settings.
const gitRunner = 'workspace/git-runner.ts';

const problems = [];
for (const file of walk(src)) {
  const from = relative(src, file);
  const room = from.split('/')[0];
  if (!(room in rank) && from !== 'index.ts')
    problems.push(`${from}: room "${room}" is not in the layer table`);
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^\s*(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const target = match[1];
    if (target.startsWith('.')) {
      const to = relative(src, resolve(dirname(file), target));
      const targetRoom = to.split('/')[0];
      if (from === 'index.ts') continue;
      if (targetRoom !== room && (rank[targetRoom] ?? 99) >= (rank[room] ?? -1)) {
        problems.push(`${from} imports ${to}: ${room} may not depend on ${targetRoom}`);
      }
    } else if (browserSafe.includes(from) && target.startsWith('node:')) {
      problems.push(`${from} imports ${target}: this module must stay free of Node APIs`);
    } else if (room === 'workspace' && target === 'node:child_process' && from !== gitRunner) {
      problems.push(
        `${from} imports ${target}: run git through ${gitRunner} (hooks off, no shell, safe settings)`,
      );
    }
  }
}
// The dashboard runs in a browser: of the product's modules it may take code only from the browser-safe
// ones; types (import type, erased at build) it may take from anywhere.
const web = join(root, 'web', 'src');
for (const file of walk(web).concat(walkTsx(web))) {
  const text = readFileSync(file, 'utf8');
  for (const match of text.matchAll(/^\s*(import|export)(?!\s+type\b)[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const target = match[2];
    if (!target.startsWith('.')) continue;
    const to = relative(src, resolve(dirname(file), target)).replace(/\.js$/, '.ts');
    if (to.startsWith('..')) continue;
    if (!browserSafe.includes(to)) {
      problems.push(
        `${relative(root, file)} imports ${to}: the dashboard may import code only from ${browserSafe.join(', ')} (types: use import type)`,
      );
    }
  }
}

function walkTsx(directory) {
  return readdirSync(directory).flatMap((name) => {
    const path = join(directory, name);
    return statSync(path).isDirectory() ? walkTsx(path) : path.endsWith('.tsx') ? [path] : [];
  });
}

if (problems.length > 0) {
  process.stderr.write(`Layer violations:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
