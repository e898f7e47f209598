#!/usr/bin/env node
// Bundles the extension into one CommonJS file (vscode stays external: the host provides it).
// --production: minified, no source map (the vsix ships exactly this file). --host-tests: also bundles
// the extension-host tests into out/ (never packaged).
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

const production = process.argv.includes('--production');
const hostTests = process.argv.includes('--host-tests');
const root = new URL('..', import.meta.url).pathname;

const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  external: ['vscode'],
  absWorkingDir: root,
  logLevel: 'warning',
  // ws tries optional native add-ons (bufferutil, utf-8-validate); without them it uses its JS code.
  define: { 'process.env.WS_NO_BUFFER_UTIL': '"1"', 'process.env.WS_NO_UTF_8_VALIDATE': '"1"' },
};

// A stale source map from a development build must never end up in the vsix.
rmSync(new URL('dist', `file://${root}`), { recursive: true, force: true });
await build({
  ...common,
  entryPoints: ['src/extension.ts'],
  outfile: 'dist/extension.js',
  minify: production,
  sourcemap: production ? false : 'linked',
});
if (hostTests) {
  await build({
    ...common,
    entryPoints: ['test/host/index.ts'],
    outfile: 'out/host/index.js',
    sourcemap: 'inline',
  });
}
