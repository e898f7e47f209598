/**
 * The Redis a coordinator and its workers share: its URL (`redis://` or `rediss://`, with a password or
 * not), shown only redacted, and a connection check at start that fails with the URL and the fix.
 */
import { Redis, type RedisOptions } from 'ioredis';
import { InputError } from '../support/errors.js';

export interface RedisTarget {
  url: string;
  /** The URL with any user name and password replaced, safe to print. */
  shown: string;
}

/** Parses a Redis URL; a malformed one is the user's input (exit 2), named without its password. */
export function redisTarget(url: string, source: string): RedisTarget {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError('USAGE', `${source} is not a URL`, [
      `${source}: write it as redis://[:password@]host:port[/db] or rediss://… for TLS`,
    ]);
  }
  const shown = redactRedisUrl(parsed);
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:')
    throw new InputError('USAGE', `${source} must be a redis:// or rediss:// URL, not ${shown}`, [
      `${source}: write it as redis://[:password@]host:port[/db] or rediss://… for TLS`,
    ]);
  return { url, shown };
}

export function redactRedisUrl(url: URL): string {
  const copy = new URL(url.href);
  if (copy.username) copy.username = '***';
  if (copy.password) copy.password = '***';
  return copy.href;
}

/**
 * Connection options for BullMQ from the URL: commands wait for a reconnect instead of failing
 * (`maxRetriesPerRequest: null`), so a Redis restart pauses work rather than losing it.
 */
export function connectionOptions(target: RedisTarget): RedisOptions {
  const url = new URL(target.url);
  const db = Number.parseInt(url.pathname.slice(1) || '0', 10);
  return {
    host: url.hostname.replace(/^\[|\]$/g, '') || '127.0.0.1',
    port: url.port ? Number(url.port) : 6379,
    ...(url.username && { username: decodeURIComponent(url.username) }),
    ...(url.password && { password: decodeURIComponent(url.password) }),
    ...(Number.isInteger(db) && db > 0 && { db }),
    ...(url.protocol === 'rediss:' && { tls: { servername: url.hostname } }),
    maxRetriesPerRequest: null,
  };
}

export function openRedis(target: RedisTarget): Redis {
  const client = new Redis(connectionOptions(target));
  // Errors are reported through the calls that fail; an unhandled 'error' event would end the process.
  client.on('error', () => {});
  return client;
}

/**
 * Says when the connection to Redis drops and when it is back: commands wait meanwhile (nothing is lost),
 * so the one thing a user needs is to know why work paused. `report` gets whole lines, URL redacted.
 */
export function reportConnection(client: Redis, target: RedisTarget, report: (line: string) => void): void {
  let lost = false;
  // 'reconnecting', not 'close': a connection we close ourselves is not lost.
  client.on('reconnecting', () => {
    if (lost) return;
    lost = true;
    report(`lost Redis at ${target.shown}; waiting for it to come back (work pauses, nothing is lost)`);
  });
  client.on('ready', () => {
    if (!lost) return;
    lost = false;
    report(`Redis at ${target.shown} is back; continuing`);
  });
}

/** Connects once and pings; unreachable Redis is refused at start with the URL (redacted) and the fix. */
export async function assertRedisReachable(target: RedisTarget, timeoutMs = 5_000): Promise<void> {
  const client = new Redis(target.url, {
    lazyConnect: true,
    maxRetriesPerRequest: 0,
    connectTimeout: timeoutMs,
    retryStrategy: () => null,
    enableOfflineQueue: false,
  });
  client.on('error', () => {});
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const reason = error instanceof Error ? error.message.replaceAll(target.url, target.shown) : '';
    throw new InputError(
      'USAGE',
      `cannot reach Redis at ${target.shown}${reason ? `: ${redactAll(reason, target)}` : ''}`,
      [
        'start Redis there (e.g. redis-server --appendonly yes --maxmemory-policy noeviction), or give the right URL with --redis, distributed.redis in ai-collab.config.yaml or AI_COLLAB_REDIS_URL',
      ],
    );
  } finally {
    client.disconnect();
  }
}

function redactAll(text: string, target: RedisTarget): string {
  const password = safeUrl(target.url)?.password;
  return password ? text.replaceAll(decodeURIComponent(password), '***').replaceAll(password, '***') : text;
}

function safeUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}
