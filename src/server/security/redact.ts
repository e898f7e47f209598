/**
 * Redaction at the server's one exit: every JSON body and stream frame passes through `serialize`, so a
 * secret in a plan, an event, an error or live output is never served. Three nets: values of secret-named
 * keys, literal secret values (the environment's, the server token), and well-known key shapes.
 */

export const redactedMarker = '<redacted>';

/** Names of variables and keys that hold secrets (`GITHUB_TOKEN`, `apiKey`, `R2_ACCESS_KEY_ID`…). */
const secretName =
  /(^|[_\-.])(api[_\-.]?key|token|secret|password|passwd|credentials?|private[_\-.]?key|access[_\-.]?key([_\-.]?id)?|auth(orization)?|session[_\-.]?token|client[_\-.]?secret)$|^(apiKey|accessToken|refreshToken|clientSecret|privateKey|authToken|secretKey)$/i;

const knownShapes = [
  /sk-ant-[A-Za-z0-9_-]{16,}/g,
  /sk-(?:proj-)?[A-Za-z0-9_-]{20,}/g,
  /gh[pousr]_[A-Za-z0-9]{20,}/g,
  /github_pat_[A-Za-z0-9_]{20,}/g,
  /AKIA[0-9A-Z]{16}/g,
  /xox[abposr]-[A-Za-z0-9-]{10,}/g,
  /AIza[0-9A-Za-z_-]{35}/g,
  /-----BEGIN [A-Z ]*PRIVATE KEY-----[\s\S]*?-----END [A-Z ]*PRIVATE KEY-----/g,
];

/** Characters a stream redactor holds back so that a key split across two pieces is still matched. */
const shapeHold = 128;

/** Values shorter than this are not treated as secrets: masking `1` or `true` would garble everything. */
const minSecretLength = 8;

export function isSecretName(name: string): boolean {
  return secretName.test(name);
}

/** Literal secret values found in an environment: values of secret-named variables. */
export function secretsFromEnvironment(environment: NodeJS.ProcessEnv): string[] {
  return Object.entries(environment)
    .filter(([name, value]) => value !== undefined && isSecretName(name))
    .map(([, value]) => value as string);
}

export interface Redactor {
  /** Masks secrets in text. */
  text(text: string): string;
  /** JSON with secret-named keys and secret values masked. */
  serialize(value: unknown): string;
  /** Where secrets are in the text: `[start, end)` spans (overlapping ones included). */
  spans(text: string): Array<[number, number]>;
  /** The longest literal secret, for stream redactors that must hold text back. */
  readonly longest: number;
}

export function createRedactor(literals: () => readonly string[]): Redactor {
  let cachedKey = '';
  let cachedPattern: RegExp | undefined;
  let longest = 0;
  const literalPattern = (): RegExp | undefined => {
    const values = [...new Set(literals().filter((value) => value.length >= minSecretLength))];
    const key = values.join('\u0000');
    if (key !== cachedKey || (cachedPattern === undefined && values.length > 0)) {
      cachedKey = key;
      // A secret inside JSON text appears escaped; match both spellings, longest first.
      const spellings = new Set(values.flatMap((value) => [value, JSON.stringify(value).slice(1, -1)]));
      const sorted = [...spellings].sort((a, b) => b.length - a.length);
      longest = sorted[0]?.length ?? 0;
      cachedPattern = sorted.length > 0 ? new RegExp(sorted.map(escapeRegExp).join('|'), 'g') : undefined;
    }
    return cachedPattern;
  };
  const text = (input: string): string => {
    let output = input;
    const pattern = literalPattern();
    if (pattern) output = output.replace(pattern, redactedMarker);
    for (const shape of knownShapes) output = output.replace(shape, redactedMarker);
    return output;
  };
  const spans = (input: string): Array<[number, number]> => {
    const found: Array<[number, number]> = [];
    const pattern = literalPattern();
    for (const shape of pattern ? [pattern, ...knownShapes] : knownShapes) {
      for (const match of input.matchAll(shape)) found.push([match.index, match.index + match[0].length]);
    }
    return found;
  };
  return {
    text,
    spans,
    serialize: (value) => text(JSON.stringify(value, maskSecretKeys) ?? 'null'),
    get longest() {
      literalPattern();
      return longest;
    },
  };
}

function maskSecretKeys(this: unknown, key: string, value: unknown): unknown {
  return typeof value === 'string' && key !== '' && isSecretName(key) ? redactedMarker : value;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * For text served in pieces (live output), where a secret may be split across two pieces: the tail that
 * could be the start of a secret is held back until more text, or the end, shows it is not.
 */
export class StreamRedactor {
  readonly #redactor: Redactor;
  /** Raw text not yet released: it could still be the start of a secret. */
  #pending = '';

  constructor(redactor: Redactor) {
    this.#redactor = redactor;
  }

  write(text: string): string {
    const raw = this.#pending + text;
    // Known key shapes have no fixed length; keys run to about a hundred characters.
    let cut = Math.max(0, raw.length - Math.max(this.#redactor.longest - 1, shapeHold));
    // Never cut through a secret, and hold back one that reaches the end: more of it may follow.
    for (const [start, end] of this.#redactor.spans(raw)) {
      if ((start < cut && end > cut) || end === raw.length) cut = Math.min(cut, start);
    }
    this.#pending = raw.slice(cut);
    return this.#redactor.text(raw.slice(0, cut));
  }

  /** Whether text is held back waiting for more. */
  holding(): boolean {
    return this.#pending !== '';
  }

  end(): string {
    const rest = this.#pending;
    this.#pending = '';
    return this.#redactor.text(rest);
  }
}
