#!/usr/bin/env node
// The map and the code agree (DESIGN.md): checks every room of the product, the dashboard (web/) and the
// VS Code extension (vscode/), with no exceptions list.
// - src/: a room imports only from rooms below it, never above; src/index.ts (the package's public API) sits
//   on top. The workspace room runs git in exactly one module.
// - The browser (web/src, and the src modules it runs) takes code only from modules declared browser-safe
//   below, and a browser-safe module takes code only from browser-safe modules and no Node API, so the rule
//   holds transitively. Types (`import type`, erased at build) may come from anywhere.
// - The extension (vscode/src) runs in the editor's Node host and talks to the server over HTTP: of src/
//   it takes code only from the modules declared shared with it. web/ and vscode/ never import each other,
//   and src/ imports neither.
// - No import cycle anywhere (runtime imports: a type-only import is erased and orders nothing).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
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
  // src/index.ts: the package's public API, built to dist/index.js.
  'index.ts': 10,
};

// Modules of src/ that run in the browser (the dashboard reuses the projection and the wire contract).
const browserSafe = new Set([
  'engine/projection.ts',
  'engine/step-projection.ts',
  'engine/run-state.ts',
  'engine/events.ts',
  'engine/step-usage.ts',
  // What a run spent against its budget: the projection keeps it, so the dashboard does too.
  'engine/budget/spend.ts',
  // A forecast in words (and the dollars it is written in): the terminal and VS Code say it alike.
  'engine/budget/forecast-text.ts',
  'engine/budget/format-usd.ts',
  // Best-of-N candidates, failovers and parked steps as data: status --json, MCP and VS Code list them alike.
  'engine/choice/choice-report.ts',
  // What became of a run's work (applied, discarded) in words: status, MCP and the dashboard say it alike.
  'engine/run-landing.ts',
  'protocol/plan-types.ts',
  'support/errors.ts',
  // The stream's wire contract (message shapes, subprotocol names): the dashboard speaks it too.
  'server/stream/stream-protocol.ts',
]);
// Modules of src/ the VS Code extension bundles: the browser-safe ones and the clock (one clock, one fake).
const sharedWithExtension = new Set([...browserSafe, 'support/clock.ts']);

// The workspace room runs git in exactly one place, where every call gets its safety settings.
const gitRunner = 'workspace/git-runner.ts';

function walk(directory, pattern = /\.tsx?$/) {
  return readdirSync(directory).flatMap((name) => {
    if (name === 'node_modules') return [];
    const path = join(directory, name);
    if (statSync(path).isDirectory()) return walk(path, pattern);
    return pattern.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Static imports and re-exports of a file: the specifier, whether only types, and the file it resolves to. */
function importsOf(file) {
  const text = readFileSync(file, 'utf8');
  const found = [];
  for (const match of text.matchAll(/^\s*(import|export)(\s+type\b)?[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const specifier = match[3];
    let target;
    if (specifier.startsWith('.')) {
      const base = resolve(dirname(file), specifier).replace(/\.js$/, '');
      target = [`${base}.ts`, `${base}.tsx`, join(base, 'index.ts')].find((path) => existsSync(path));
    }
    found.push({ specifier, typeOnly: Boolean(match[2]), target });
  }
  return found;
}

const areas = { src, web: join(root, 'web', 'src'), vscode: join(root, 'vscode', 'src') };
const areaOf = (path) =>
  Object.entries(areas).find(([, directory]) => path.startsWith(`${directory}/`))?.[0] ?? 'outside';
const roomOf = (fromSrc) => (fromSrc.includes('/') ? fromSrc.split('/')[0] : fromSrc);

const problems = [];
const graph = new Map();
for (const [area, directory] of Object.entries(areas)) {
  for (const file of walk(directory)) {
    const name = relative(root, file);
    const imports = importsOf(file);
    graph.set(
      file,
      imports.filter((entry) => !entry.typeOnly && entry.target).map((entry) => entry.target),
    );
    if (area === 'src') checkSrc(file, imports);
    for (const entry of imports) {
      const targetArea = entry.target ? areaOf(entry.target) : undefined;
      const inSrc = entry.target && targetArea === 'src' ? relative(src, entry.target) : undefined;
      if (targetArea && targetArea !== area && targetArea !== 'src' && area !== 'src')
        problems.push(
          `${name} imports ${relative(root, entry.target)}: ${area}/ and ${targetArea}/ are separate front ends`,
        );
      if (area === 'src' && targetArea && targetArea !== 'src')
        problems.push(
          `${name} imports ${relative(root, entry.target)}: src/ depends on no front end outside it`,
        );
      if (area === 'web' && entry.specifier.startsWith('node:'))
        problems.push(`${name} imports ${entry.specifier}: the dashboard runs in a browser`);
      if (area === 'web' && inSrc && !entry.typeOnly && !browserSafe.has(inSrc))
        problems.push(
          `${name} imports src/${inSrc}: the dashboard may take code only from browser-safe modules (${[...browserSafe].join(', ')}); types: use import type`,
        );
      if (area === 'vscode' && inSrc && !entry.typeOnly && !sharedWithExtension.has(inSrc))
        problems.push(
          `${name} imports src/${inSrc}: the extension may take code only from ${[...sharedWithExtension].join(', ')}; types: use import type`,
        );
    }
  }
}

function checkSrc(file, imports) {
  const from = relative(src, file);
  const room = roomOf(from);
  if (!(room in rank)) problems.push(`src/${from}: room "${room}" is not in the layer table`);
  for (const entry of imports) {
    if (entry.target && areaOf(entry.target) === 'src') {
      const to = relative(src, entry.target);
      const targetRoom = roomOf(to);
      if (targetRoom !== room && (rank[targetRoom] ?? 99) >= (rank[room] ?? -1))
        problems.push(`src/${from} imports ${to}: ${room} may not depend on ${targetRoom}`);
      if (browserSafe.has(from) && !entry.typeOnly && !browserSafe.has(to))
        problems.push(
          `src/${from} imports ${to}: a browser-safe module takes code only from browser-safe ones`,
        );
    } else if (browserSafe.has(from) && !entry.typeOnly && !entry.specifier.startsWith('.')) {
      problems.push(
        `src/${from} imports ${entry.specifier}: a browser-safe module takes no package or Node API`,
      );
    } else if (room === 'workspace' && entry.specifier === 'node:child_process' && from !== gitRunner) {
      problems.push(
        `src/${from} imports ${entry.specifier}: run git through ${gitRunner} (hooks off, no shell, safe settings)`,
      );
    }
  }
}

// A plain JavaScript module of src/ (the worker's process watchdog) is run by `node` itself, with no loader,
// from src/ as from dist/: it takes nothing but Node's built-ins.
for (const file of walk(src, /\.js$/)) {
  for (const entry of importsOf(file)) {
    if (!entry.specifier.startsWith('node:'))
      problems.push(
        `${relative(root, file)} imports ${entry.specifier}: a plain JavaScript module takes only node: built-ins`,
      );
  }
}

// Import cycles: strongly connected components of the runtime import graph (Tarjan).
const order = new Map();
const low = new Map();
const onStack = new Set();
const stack = [];
let counter = 0;
function connect(file) {
  order.set(file, counter);
  low.set(file, counter);
  counter++;
  stack.push(file);
  onStack.add(file);
  for (const next of graph.get(file) ?? []) {
    if (!order.has(next)) {
      connect(next);
      low.set(file, Math.min(low.get(file), low.get(next)));
    } else if (onStack.has(next)) low.set(file, Math.min(low.get(file), order.get(next)));
  }
  if (low.get(file) !== order.get(file)) return;
  const component = [];
  let member;
  do {
    member = stack.pop();
    onStack.delete(member);
    component.push(relative(root, member));
  } while (member !== file);
  if (component.length > 1 || (graph.get(file) ?? []).includes(file))
    problems.push(`import cycle: ${component.reverse().join(' → ')}`);
}
for (const file of graph.keys()) if (!order.has(file)) connect(file);

if (problems.length > 0) {
  process.stderr.write(`Boundary violations:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
