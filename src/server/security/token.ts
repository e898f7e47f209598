/**
 * The server's credentials: a bearer token (256 bits from the OS CSPRNG, new on every start) and one-time
 * login codes that let a browser tab obtain it without the token ever appearing in a URL.
 */
import { randomBytes } from 'node:crypto';
import { tokensEqual } from '../../support/secret-token.js';

export { createToken, tokensEqual } from '../../support/secret-token.js';

/** Single-use codes for the dashboard's sign-in URL; each expires after `ttlMs`. */
export class LoginCodes {
  readonly #ttlMs: number;
  readonly #now: () => number;
  #codes: Array<{ code: string; expiresAt: number }> = [];

  constructor(ttlMs: number, now: () => number) {
    this.#ttlMs = ttlMs;
    this.#now = now;
  }

  mint(): { code: string; expiresAt: number } {
    const code = randomBytes(24).toString('hex');
    const expiresAt = this.#now() + this.#ttlMs;
    this.#prune();
    // A handful outstanding at most: each new sign-in URL retires the oldest beyond that.
    this.#codes = [...this.#codes.slice(-7), { code, expiresAt }];
    return { code, expiresAt };
  }

  /** True once per code: a used or expired code is refused. Every candidate is compared in full. */
  consume(given: string): boolean {
    this.#prune();
    let match = -1;
    this.#codes.forEach((entry, index) => {
      if (tokensEqual(given, entry.code)) match = index;
    });
    if (match < 0) return false;
    this.#codes.splice(match, 1);
    return true;
  }

  /** Live codes, so they can be redacted from anything served. */
  outstanding(): string[] {
    this.#prune();
    return this.#codes.map((entry) => entry.code);
  }

  #prune(): void {
    const now = this.#now();
    this.#codes = this.#codes.filter((entry) => entry.expiresAt > now);
  }
}
