import assert from 'node:assert/strict';
import { test } from 'node:test';
import { connectionOptions, redactRedisUrl, redisTarget } from '../../../src/distributed/redis-connection.js';
import { InputError } from '../../../src/support/errors.js';

test('a Redis URL is shown with its user and password replaced, never as given', () => {
  const target = redisTarget('rediss://admin:s3cr%40t@cache.example:6380/2', '--redis');
  assert.equal(target.shown, 'rediss://***:***@cache.example:6380/2');
  assert.equal(redactRedisUrl(new URL('redis://:only-password@h:1')), 'redis://:***@h:1');
  assert.equal(redisTarget('redis://127.0.0.1:6379', '--redis').shown, 'redis://127.0.0.1:6379');
});

test('rediss:// connects with TLS, and the password and database reach the client decoded', () => {
  const options = connectionOptions(redisTarget('rediss://admin:s3cr%40t@cache.example:6380/2', '--redis'));
  assert.equal(options.host, 'cache.example');
  assert.equal(options.port, 6380);
  assert.equal(options.username, 'admin');
  assert.equal(options.password, 's3cr@t');
  assert.equal(options.db, 2);
  assert.deepEqual(options.tls, { servername: 'cache.example' });
  assert.equal(options.maxRetriesPerRequest, null, 'commands wait for a reconnect instead of failing');
  assert.equal(connectionOptions(redisTarget('redis://h', 'x')).tls, undefined);
});

test('a URL that is not redis:// or rediss:// is refused as input, naming the source and without the password', () => {
  assert.throws(
    () => redisTarget('http://user:hunter2@h:1', 'AI_COLLAB_REDIS_URL'),
    (error: unknown) =>
      error instanceof InputError &&
      /AI_COLLAB_REDIS_URL must be a redis:\/\/ or rediss:\/\/ URL/.test(error.message) &&
      !error.message.includes('hunter2'),
  );
  assert.throws(() => redisTarget('not a url', '--redis'), /--redis is not a URL/);
});
