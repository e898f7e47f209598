import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  createRedactor,
  isSecretName,
  StreamRedactor,
  secretsFromEnvironment,
} from '../../../src/server/security/redact.js';

const secrets = ['hunter2hunter2', 'R2-key-"quoted"-9f8e7d', 'ghp_0123456789abcdefABCDEF0123456789abcd'];

test('names that hold secrets are recognised, including ones with digits', () => {
  for (const name of [
    'GITHUB_TOKEN',
    'R2_ACCESS_KEY_ID',
    'apiKey',
    'OPENAI_API_KEY',
    'client_secret',
    'DB_PASSWORD',
    'authorization',
  ]) {
    assert.ok(isSecretName(name), name);
  }
  for (const name of ['inputTokens', 'outputTokens', 'sessionId', 'stepId', 'keyboard', 'author']) {
    assert.ok(!isSecretName(name), name);
  }
  assert.deepEqual(secretsFromEnvironment({ GITHUB_TOKEN: 'x1', HOME: '/root', NPM_TOKEN: 'y2' }), [
    'x1',
    'y2',
  ]);
});

test('serialize masks secret-named keys, literal secrets (also JSON-escaped) and known key shapes', () => {
  const redactor = createRedactor(() => secrets);
  const text = redactor.serialize({
    env: { GITHUB_TOKEN: 'whatever-value', PATH: '/usr/bin' },
    prompt: `use hunter2hunter2 and R2-key-"quoted"-9f8e7d`,
    output: 'key sk-ant-api03-abcdefghijklmnopqrstuvwxyz012345 and AKIAABCDEFGHIJKLMNOP',
    usage: { inputTokens: 5 },
  });
  for (const secret of [...secrets, 'whatever-value', 'sk-ant-api03', 'AKIAABCDEFGHIJKLMNOP']) {
    assert.ok(!text.includes(secret), secret);
  }
  const parsed = JSON.parse(text);
  assert.equal(parsed.env.PATH, '/usr/bin');
  assert.equal(parsed.usage.inputTokens, 5);
  assert.equal(parsed.env.GITHUB_TOKEN, '<redacted>');
});

test('short values are never treated as secrets', () => {
  const redactor = createRedactor(() => ['1', 'true', 'abc']);
  assert.equal(redactor.text('1 true abc'), '1 true abc');
});

test('a secret split across stream pieces at any offset never comes out whole or in part', () => {
  const secret = 'ghp_0123456789abcdefABCDEF0123456789abcd';
  const text = `before ${secret} after\n`;
  for (let cut = 1; cut < text.length; cut++) {
    const stream = new StreamRedactor(createRedactor(() => [secret]));
    const out = stream.write(text.slice(0, cut)) + stream.write(text.slice(cut)) + stream.end();
    assert.equal(out, 'before <redacted> after\n', `cut at ${cut}`);
  }
});

test('a key of a known shape split across pieces is caught too, with no literal to go by', () => {
  const key = 'sk-ant-api03-Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0PpOoNnMmLlKkJjIiHhGgFf';
  const text = `token: ${key}\nnext line\n`;
  for (let cut = 1; cut < text.length; cut++) {
    const stream = new StreamRedactor(createRedactor(() => []));
    const out = stream.write(text.slice(0, cut)) + stream.write(text.slice(cut)) + stream.end();
    assert.equal(out, 'token: <redacted>\nnext line\n', `cut at ${cut}`);
  }
});
