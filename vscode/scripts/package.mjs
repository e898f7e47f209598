#!/usr/bin/env node
// Builds the production bundle and packs it with @vscode/vsce into ai-collab-<version>.vsix (in vscode/).
// Prints the vsix path on stdout. Dependencies are bundled, so vsce packs none (--no-dependencies).
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const { name, version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const vsix = join(root, `${name}-${version}.vsix`);
// A fresh clone has not installed the extension's own packages yet: do it from its lock file.
if (!existsSync(join(root, 'node_modules/@vscode/vsce/vsce'))) {
  execFileSync('npm', ['ci', '--no-audit', '--no-fund'], {
    cwd: root,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
}
execFileSync(process.execPath, [join(root, 'scripts/build.mjs'), '--production'], {
  cwd: root,
  stdio: 'inherit',
});
execFileSync(
  process.execPath,
  [
    join(root, 'node_modules/@vscode/vsce/vsce'),
    'package',
    '--no-dependencies',
    '--allow-missing-repository',
    '--skip-license',
    '--out',
    vsix,
  ],
  { cwd: root, stdio: ['ignore', 'inherit', 'inherit'] },
);
process.stdout.write(`${vsix} (${statSync(vsix).size} bytes)\n`);
