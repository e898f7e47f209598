import assert from 'node:assert/strict';
import { test } from 'node:test';
import { resolveServerCommand, splitCommandLine } from '../../src/supervisor/server-command.js';

test('the setting wins, split like a command line without a shell', () => {
  assert.deepEqual(
    resolveServerCommand('node "/opt/my tools/bin.js" --db x', '/ws', () => true),
    {
      command: 'node',
      args: ['/opt/my tools/bin.js', '--db', 'x'],
    },
  );
  assert.deepEqual(splitCommandLine(`a 'b c' "" d`), ['a', 'b c', '', 'd']);
  assert.throws(() => splitCommandLine('node "unclosed'), { code: 'USAGE' });
});

test("else the workspace's node_modules/.bin/ai-collab, else npx without downloading", () => {
  assert.deepEqual(
    resolveServerCommand('', '/ws', (path) => path === '/ws/node_modules/.bin/ai-collab'),
    {
      command: '/ws/node_modules/.bin/ai-collab',
      args: [],
    },
  );
  assert.deepEqual(
    resolveServerCommand('  ', '/ws', () => false),
    { command: 'npx', args: ['--no', 'ai-collab'] },
  );
});
