/**
 * The server's `server.json` as the extension trusts it. The token is read from this file and nowhere else;
 * the file must be a regular file owned by us with mode 0600, and must point at a loopback URL, so a
 * `server.json` committed to a cloned repository can neither leak our requests nor impersonate a server.
 */
import { lstatSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ExtensionError } from '../support/errors.js';

export interface ServerInfo {
  /** `http://127.0.0.1:PORT` */
  url: string;
  port: number;
  pid: number;
  token: string;
}

export function serverFilePath(stateDir: string): string {
  return join(stateDir, 'server.json');
}

const loopbackHosts: ReadonlySet<string> = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** The server named by `server.json`, undefined when there is none; throws SERVER_FILE_UNSAFE when it cannot be trusted. */
export function readServerInfo(stateDir: string): ServerInfo | undefined {
  const path = serverFilePath(stateDir);
  let stats: ReturnType<typeof lstatSync>;
  try {
    stats = lstatSync(path);
  } catch {
    return undefined;
  }
  if (!stats.isFile()) throw unsafe(`${path} is not a regular file`);
  if ((stats.mode & 0o077) !== 0) {
    throw unsafe(`${path} is readable by others (mode ${(stats.mode & 0o777).toString(8)}); expected 600`);
  }
  const uid = process.getuid?.();
  if (uid !== undefined && stats.uid !== uid) throw unsafe(`${path} belongs to another user`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch {
    // A server writes the file atomically (rename), so this is a foreign or broken file: not ours to use.
    return undefined;
  }
  return parseServerInfo(parsed, path);
}

export function parseServerInfo(value: unknown, source = 'server.json'): ServerInfo {
  if (typeof value !== 'object' || value === null) throw unsafe(`${source} is not a JSON object`);
  const { url, port, pid, token } = value as Record<string, unknown>;
  if (
    typeof url !== 'string' ||
    typeof port !== 'number' ||
    typeof pid !== 'number' ||
    typeof token !== 'string'
  ) {
    throw unsafe(`${source} lacks url, port, pid or token`);
  }
  let parsedUrl: URL;
  try {
    parsedUrl = new URL(url);
  } catch {
    throw unsafe(`${source} has an invalid url`);
  }
  if (
    parsedUrl.protocol !== 'http:' ||
    !loopbackHosts.has(parsedUrl.hostname) ||
    Number(parsedUrl.port) !== port
  ) {
    throw unsafe(`${source} names ${parsedUrl.origin}, which is not this machine's loopback server`);
  }
  if (token.length < 16) throw unsafe(`${source} holds no usable token`);
  return { url: parsedUrl.origin, port, pid, token };
}

function unsafe(message: string): ExtensionError {
  return new ExtensionError('SERVER_FILE_UNSAFE', `AI Collab will not use this server file: ${message}`);
}
