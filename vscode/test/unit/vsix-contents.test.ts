import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { zipEntries, zipFile } from '../support/zip-entries.js';

// The packaged extension holds the bundle and its manifest, and nothing it should not. `npm run
// package:vscode` (or `npm run package` in vscode/) writes the vsix this reads.
const root = new URL('../../', import.meta.url).pathname;
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
};
const vsix = join(root, `${name}-${version}.vsix`);
// Skipped before the first `npm run package`; in CI (which packages first) a missing vsix is a failure.
const ci = !['', 'false', '0'].includes((process.env.CI ?? '').trim().toLowerCase());
if (ci && !existsSync(vsix)) throw new Error(`${vsix} is missing in CI: run npm run package:vscode first`);

test('the vsix holds the built extension, its manifest, README and icon, and nothing else', {
  skip: !existsSync(vsix) && 'run npm run package first',
}, () => {
  const entries = zipEntries(readFileSync(vsix)).sort();
  assert.deepEqual(entries, [
    '[Content_Types].xml',
    'extension.vsixmanifest',
    'extension/dist/extension.js',
    'extension/media/ai-collab.svg',
    'extension/package.json',
    'extension/readme.md',
  ]);
  const forbidden = [
    /(^|\/)src\//,
    /node_modules\//,
    /\.map$/,
    /(^|\/)test\//,
    /\.test\./,
    /\.env/,
    /\.ts$/,
    /server\.json$/,
    /\.vsix$/,
    /tsconfig/,
  ];
  for (const entry of entries)
    for (const pattern of forbidden) assert.ok(!pattern.test(entry), `${entry} matches ${pattern}`);
});

test('the bundle is self-contained CommonJS: only vscode and Node built-ins are required, no source map link', {
  skip: !existsSync(vsix) && 'run npm run package first',
}, () => {
  const zip = readFileSync(vsix);
  const bundle = zipFile(zip, 'extension/dist/extension.js').toString('utf8');
  const manifest = JSON.parse(zipFile(zip, 'extension/package.json').toString('utf8')) as {
    main: string;
    capabilities: unknown;
  };
  assert.equal(manifest.main, './dist/extension.js');
  assert.deepEqual(
    (manifest.capabilities as { untrustedWorkspaces: { supported: string } }).untrustedWorkspaces.supported,
    'limited',
  );
  assert.ok(!bundle.includes('sourceMappingURL'), 'no source map reference');
  const required = [...new Set([...bundle.matchAll(/require\("([^"]+)"\)/g)].map((match) => match[1]))];
  // vscode (the host's), our node: imports, and the built-ins the bundled ws 8 uses (un-prefixed); no package.
  assert.deepEqual(required.sort(), [
    'buffer',
    'crypto',
    'events',
    'http',
    'https',
    'net',
    'node:child_process',
    'node:crypto',
    'node:fs',
    'node:fs/promises',
    'node:path',
    'node:readline',
    'querystring',
    'stream',
    'tls',
    'url',
    'util',
    'vscode',
    'zlib',
  ]);
  assert.ok(!/-----BEGIN|sk-[A-Za-z0-9]{20}/.test(bundle), 'no key material in the bundle');
});
