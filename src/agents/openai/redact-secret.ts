/**
 * Keeps an API key out of everything written down: transcripts, failure messages, events. Providers
 * sometimes echo the key they rejected, and a model may read a file that holds it.
 */
export type Redact = (text: string) => string;

/** Keys shorter than this are placeholders for local servers, and masking them would garble the text. */
const minSecretLength = 4;

export function createRedactor(secret: string | undefined): Redact {
  if (secret === undefined || secret.length < minSecretLength) return (text) => text;
  return (text) => (text.includes(secret) ? text.split(secret).join('<redacted>') : text);
}
