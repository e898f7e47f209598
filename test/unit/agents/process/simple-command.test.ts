import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleCommandWords } from '../../../../src/agents/process/simple-command.js';

// A step's command skips the shell only where the shell would do nothing but exec it.

test('plain words are exec’d as they are', () => {
  assert.deepEqual(simpleCommandWords('true'), ['true']);
  assert.deepEqual(simpleCommandWords('npm  run build:web -- --silent'), [
    'npm',
    'run',
    'build:web',
    '--',
    '--silent',
  ]);
  assert.deepEqual(simpleCommandWords('./scripts/check.sh a,b 50% user@host'), [
    './scripts/check.sh',
    'a,b',
    '50%',
    'user@host',
  ]);
});

test('anything the shell would interpret is left to the shell', () => {
  for (const script of [
    'echo "$HOME"',
    "echo 'quoted'",
    'echo a > out.txt',
    'make && make test',
    'ls *.ts',
    'FOO=1 npm test',
    'npm test --flag=value',
    'echo ~',
    'echo a\\nb',
    'true; false',
    'sleep 1 &',
    'echo one\necho two',
    '! false',
    '',
    '   ',
  ])
    assert.equal(simpleCommandWords(script), undefined, script);
});

test('builtins and keywords keep their shell meaning', () => {
  for (const script of [
    'cd build',
    'exit 3',
    'export PATH',
    'wait',
    'set -e',
    '. ./env.sh',
    'test -f x',
    'umask 077',
  ])
    assert.equal(simpleCommandWords(script), undefined, script);
});
