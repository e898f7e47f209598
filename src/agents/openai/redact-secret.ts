/**
 * Keeps an API key out of everything written down: transcripts, failure messages, events. Providers
 * sometimes echo the key they rejected, and a model may read a file that holds it and repeat it.
 */
export type Redact = (text: string) => string;

/** Keys shorter than this are placeholders for local servers, and masking them would garble the text. */
const minSecretLength = 4;
const marker = '<redacted>';

export function createRedactor(secret: string | undefined): Redact {
  if (secret === undefined || secret.length < minSecretLength) return (text) => text;
  return (text) => (text.includes(secret) ? text.split(secret).join(marker) : text);
}

/**
 * For text written in pieces (a streamed answer), where the key may be split across two writes: the last
 * `secret.length - 1` characters are held back until more text, or the end, shows they are not the key.
 */
export interface StreamRedactor {
  write(text: string): string;
  /** Whatever is still held back, at the end of the stream. */
  end(): string;
}

export function createStreamRedactor(secret: string | undefined): StreamRedactor {
  const redact = createRedactor(secret);
  if (secret === undefined || secret.length < minSecretLength)
    return { write: (text) => text, end: () => '' };
  const hold = secret.length - 1;
  let pending = '';
  return {
    write(text) {
      const combined = redact(pending + text);
      const cut = Math.max(0, combined.length - hold);
      pending = combined.slice(cut);
      return combined.slice(0, cut);
    },
    end() {
      const rest = pending;
      pending = '';
      return rest;
    },
  };
}
