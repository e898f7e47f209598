/**
 * The dashboard's credential. The CLI opens `/#login=<one-time code>`; the page trades the code for the
 * token (a POST with this page's Origin) and keeps it for this tab only. The token never enters a URL.
 */
const storageKey = 'ai-collab.token';

export type SessionResult = { token: string } | { problem: string };

export async function obtainToken(): Promise<SessionResult> {
  const match = /^#login=([0-9a-f]{16,128})$/.exec(location.hash);
  if (match) {
    // Drop the code from the address bar and history before anything else.
    history.replaceState(null, '', `${location.pathname}#/`);
    const response = await fetch('/api/session', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ code: match[1] }),
    });
    const body = (await response.json().catch(() => ({}))) as {
      token?: string;
      error?: { message?: string };
    };
    if (response.ok && typeof body.token === 'string') {
      sessionStorage.setItem(storageKey, body.token);
      return { token: body.token };
    }
    return { problem: body.error?.message ?? 'this sign-in link did not work' };
  }
  const stored = sessionStorage.getItem(storageKey);
  return stored ? { token: stored } : { problem: 'not signed in' };
}

export function forgetToken(): void {
  sessionStorage.removeItem(storageKey);
}
