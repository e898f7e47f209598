/**
 * How a browser tab gets the token: the CLI opens `/#login=<code>` (a fragment, never sent to a server or
 * in a Referer); the page trades the one-time code for the token here, and keeps it in memory.
 */
import { z } from 'zod';
import { HttpError } from './http-io.js';
import { type ApiContext, parseBody } from './route-context.js';
import type { Route } from './router.js';

const sessionBody = z.strictObject({ code: z.string().min(1).max(256) });

/** Failed code exchanges allowed per minute before the endpoint answers 429. */
const maxFailuresPerMinute = 20;

export function sessionRoutes(api: ApiContext, token: string): Route[] {
  let failures: number[] = [];
  return [
    {
      method: 'POST',
      path: '/api/session',
      access: 'login',
      handle: async ({ body }) => {
        const now = api.clock.now();
        failures = failures.filter((at) => now - at < 60_000);
        if (failures.length >= maxFailuresPerMinute) {
          throw new HttpError(429, 'TOO_MANY_ATTEMPTS', 'too many sign-in attempts; wait a minute');
        }
        const { code } = parseBody(sessionBody, await body());
        if (!api.logins.consume(code)) {
          failures.push(now);
          throw new HttpError(
            401,
            'LOGIN_CODE_INVALID',
            'this sign-in link was used already or has expired; run `ai-collab dashboard` for a new one',
          );
        }
        return { body: { token }, credential: true };
      },
    },
    {
      method: 'POST',
      path: '/api/login-codes',
      access: 'token',
      handle: () => ({ body: loginLink(api), credential: true }),
    },
  ];
}

export function loginLink(api: ApiContext): { url: string; expiresAt: number } {
  const { code, expiresAt } = api.logins.mint();
  return { url: `${api.baseUrl()}/#login=${code}`, expiresAt };
}
