import assert from 'node:assert/strict';
import { existsSync, linkSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { defaultToolLimits, sliceLines } from '../../../../src/agents/openai/file-tools.js';
import { WorkspaceTools } from '../../../../src/agents/openai/workspace-tools.js';
import { tempDir } from '../../../support/temp-dir.js';

function workspace(): string {
  const directory = tempDir('openai-tools-');
  mkdirSync(join(directory, 'src'));
  writeFileSync(join(directory, 'src', 'a.ts'), 'const a = 1;\nconst b = 2;\nconst a2 = 1;\n');
  return directory;
}

const call = (tools: WorkspaceTools, name: string, args: unknown) =>
  tools.run(name, typeof args === 'string' ? args : JSON.stringify(args));

test('write_file creates parents and reports the change; edit_file replaces one exact occurrence', async () => {
  const directory = workspace();
  const tools = await WorkspaceTools.open(directory, { readOnly: false });
  const written = await call(tools, 'write_file', { path: 'docs/notes.md', content: 'hello\n' });
  assert.deepEqual(written, {
    output: 'created docs/notes.md (6 bytes)',
    isError: false,
    changed: 'docs/notes.md',
  });
  assert.equal(readFileSync(join(directory, 'docs', 'notes.md'), 'utf8'), 'hello\n');
  const edited = await call(tools, 'edit_file', {
    path: 'src/a.ts',
    old_string: 'const b = 2;',
    new_string: 'const b = "$&";',
  });
  assert.equal(edited.isError, false);
  assert.equal(edited.changed, 'src/a.ts');
  assert.equal(
    readFileSync(join(directory, 'src', 'a.ts'), 'utf8'),
    'const a = 1;\nconst b = "$&";\nconst a2 = 1;\n',
  );
});

test('edit_file refuses a missing or ambiguous old_string, and says how to fix it', async () => {
  const tools = await WorkspaceTools.open(workspace(), { readOnly: false });
  const ambiguous = await call(tools, 'edit_file', {
    path: 'src/a.ts',
    old_string: ' = 1;',
    new_string: ' = 3;',
  });
  assert.deepEqual([ambiguous.isError, /occurs 2 times/.test(ambiguous.output)], [true, true]);
  const missing = await call(tools, 'edit_file', {
    path: 'src/a.ts',
    old_string: 'const z',
    new_string: 'x',
  });
  assert.match(missing.output, /^Error: old_string was not found in src\/a\.ts/);
  const empty = await call(tools, 'edit_file', { path: 'src/a.ts', old_string: '', new_string: 'x' });
  assert.match(empty.output, /use write_file/);
});

test('read_file pages long files by lines; list_files lists recursively with directories marked', async () => {
  const directory = workspace();
  writeFileSync(
    join(directory, 'long.txt'),
    Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n'),
  );
  const tools = await WorkspaceTools.open(directory, { readOnly: true, limits: { maxReadLines: 4 } });
  assert.equal(
    (await call(tools, 'read_file', { path: 'long.txt' })).output,
    'line 1\nline 2\nline 3\nline 4\n[lines 1-4 of 10; continue with offset=5]',
  );
  assert.equal(
    (await call(tools, 'read_file', { path: 'long.txt', offset: '9', limit: 5 })).output,
    'line 9\nline 10\n[lines 9-10 of 10]',
  );
  mkdirSync(join(directory, '.git'));
  writeFileSync(join(directory, '.git', 'HEAD'), 'ref');
  assert.equal((await call(tools, 'list_files', {})).output, '.git/\nlong.txt\nsrc/\nsrc/a.ts');
  assert.equal((await call(tools, 'list_files', { path: 'src' })).output, 'src/a.ts');
});

test('a read-only step advertises only the read tools and refuses writes', async () => {
  const directory = workspace();
  const tools = await WorkspaceTools.open(directory, { readOnly: true });
  assert.deepEqual(
    tools.definitions.map((tool) => tool.function.name),
    ['list_files', 'read_file'],
  );
  const refused = await call(tools, 'write_file', { path: 'x.txt', content: 'no' });
  assert.deepEqual(refused, {
    output: 'Error: write_file is not available in a read-only step',
    isError: true,
  });
  assert.equal(existsSync(join(directory, 'x.txt')), false);
});

test('bad arguments, unknown tools, sizes over the limits and hard links are error results', async () => {
  const directory = workspace();
  const tools = await WorkspaceTools.open(directory, {
    readOnly: false,
    limits: { maxWriteBytes: 10, maxFileBytes: 20 },
  });
  assert.match((await call(tools, 'read_file', '{"path": ')).output, /not valid JSON/);
  assert.match((await call(tools, 'read_file', {})).output, /argument path \(a string\) is missing/);
  assert.match((await call(tools, 'run_shell', { command: 'ls' })).output, /no tool named run_shell/);
  assert.match(
    (await call(tools, 'write_file', { path: 'big.txt', content: 'x'.repeat(11) })).output,
    /11 bytes, more than the 10-byte limit/,
  );
  writeFileSync(join(directory, 'big.txt'), 'y'.repeat(21));
  assert.match(
    (await call(tools, 'read_file', { path: 'big.txt' })).output,
    /21 bytes, more than the 20-byte limit/,
  );
  assert.match(
    (await call(tools, 'read_file', { path: 'nope.txt' })).output,
    /^Error: no such file or directory/,
  );
  const store = join(tempDir('openai-store-'), 'shared.js');
  writeFileSync(store, 'shared');
  linkSync(store, join(directory, 'linked.js'));
  assert.match((await call(tools, 'write_file', { path: 'linked.js', content: 'x' })).output, /hard-linked/);
  assert.equal(readFileSync(store, 'utf8'), 'shared');
  writeFileSync(join(directory, 'bin.dat'), Buffer.from([1, 0, 2]));
  assert.match((await call(tools, 'read_file', { path: 'bin.dat' })).output, /binary file/);
});

test('sliceLines keeps to the byte budget and says where to continue', () => {
  const limits = { ...defaultToolLimits, maxReadBytes: 12 };
  assert.equal(
    sliceLines('aaaa\nbbbb\ncccc\n', undefined, undefined, limits),
    'aaaa\nbbbb\n[lines 1-2 of 3; continue with offset=3]',
  );
  assert.equal(sliceLines('', undefined, undefined, limits), '(empty file)');
  assert.match(sliceLines('a\n', 5, undefined, limits), /offset 5 is past its end/);
});
