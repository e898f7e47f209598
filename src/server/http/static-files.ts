/**
 * The dashboard's files, built by Vite into the package and served as is: no token (they hold no data),
 * but the Host check applies, and the page gets a strict Content-Security-Policy.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { baseHeaders } from './http-io.js';
import type { Route } from './router.js';

const contentTypes: Readonly<Record<string, string>> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};
const assetName = /^[A-Za-z0-9][A-Za-z0-9._-]{0,200}$/;

/** Where the built dashboard is: `dist/web` next to the compiled server, or the package's when run from source. */
export function defaultWebRoot(): string | undefined {
  const candidates = [new URL('../../web/', import.meta.url), new URL('../../../dist/web/', import.meta.url)];
  for (const candidate of candidates) {
    const directory = fileURLToPath(candidate);
    if (existsSync(join(directory, 'index.html'))) return directory;
  }
  return undefined;
}

export function staticRoutes(webRoot: string | undefined): Route[] {
  return [
    {
      method: 'GET',
      path: '/',
      access: 'public',
      handle: async ({ request, response }) => {
        if (!webRoot) {
          response.writeHead(503, { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8' });
          response.end(
            'The dashboard is not built. Run `npm run build:web`; the API under /api/ works without it.\n',
          );
          return undefined;
        }
        const html = await readFile(join(webRoot, 'index.html'));
        response.writeHead(200, {
          ...baseHeaders,
          'content-type': 'text/html; charset=utf-8',
          'content-security-policy': contentSecurityPolicy(request.headers.host ?? ''),
        });
        response.end(html);
        return undefined;
      },
    },
    {
      method: 'GET',
      path: '/assets/*',
      access: 'public',
      handle: async ({ params, response }) => {
        const name = params['*'] ?? '';
        if (!webRoot || !assetName.test(name) || name.includes('..')) return notFound(response);
        const type = contentTypes[name.slice(name.lastIndexOf('.'))];
        if (!type) return notFound(response);
        let body: Buffer;
        try {
          body = await readFile(join(webRoot, 'assets', name));
        } catch {
          return notFound(response);
        }
        response.writeHead(200, {
          ...baseHeaders,
          'content-type': type,
          // File names carry a content hash: they never change.
          'cache-control': 'public, max-age=31536000, immutable',
        });
        response.end(body);
        return undefined;
      },
    },
  ];
}

function contentSecurityPolicy(host: string): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    `connect-src 'self' ws://${host}`,
    "worker-src 'self'",
    "font-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

function notFound(response: ServerResponse): undefined {
  response.writeHead(404, { ...baseHeaders, 'content-type': 'text/plain; charset=utf-8' });
  response.end('not found\n');
  return undefined;
}
