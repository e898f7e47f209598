/**
 * For `ai-collab dashboard` (and `serve`, `run --serve`): a fresh one-time sign-in URL from the server
 * that serves this state directory, found through its `server.json`.
 */

import { z } from 'zod';
import { InputError } from '../support/errors.js';
import { readServerFile } from './server-file.js';

const signInLinkSchema = z.object({ url: z.string(), expiresAt: z.number() });

export async function requestDashboardLink(stateDir: string): Promise<{ url: string; expiresAt: number }> {
  const server = readServerFile(stateDir);
  if (!server) {
    throw new InputError(
      'USAGE',
      'no dashboard server is running for this workspace; start one with `ai-collab serve`',
    );
  }
  let response: Response;
  try {
    response = await fetch(`${server.url}/api/login-codes`, {
      method: 'POST',
      // A script is not a browser, but the server asks every state-changing request for its Origin.
      headers: { authorization: `Bearer ${server.token}`, origin: server.url },
      signal: AbortSignal.timeout(5_000),
    });
  } catch (error) {
    throw new InputError(
      'USAGE',
      `the dashboard server at ${server.url} (pid ${server.pid}) does not answer: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!response.ok) {
    throw new InputError(
      'USAGE',
      `the dashboard server at ${server.url} refused to make a sign-in link (${response.status})`,
    );
  }
  const link = signInLinkSchema.safeParse(await response.json());
  if (!link.success) {
    throw new InputError('USAGE', `the dashboard server at ${server.url} answered with no sign-in link`);
  }
  return link.data;
}
