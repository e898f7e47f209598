/** Reading requests and writing responses: size-capped JSON bodies, JSON answers, security headers. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Redactor } from '../security/redact.js';

export class HttpError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: readonly string[];
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    status: number,
    code: string,
    message: string,
    options: { problems?: readonly string[]; headers?: Record<string, string> } = {},
  ) {
    super(message);
    this.status = status;
    this.code = code;
    this.problems = options.problems ?? [];
    this.headers = options.headers ?? {};
  }
}

/** Headers on every response: no caching of data, no sniffing, no framing (the approve button). */
export const baseHeaders: Readonly<Record<string, string>> = {
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-resource-policy': 'same-origin',
  vary: 'Origin',
};

export function sendJson(
  response: ServerResponse,
  status: number,
  body: unknown,
  redactor: Redactor,
  headers: Record<string, string> = {},
): number {
  const text = redactor.serialize(body);
  response.writeHead(status, {
    ...baseHeaders,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
  return Buffer.byteLength(text);
}

export function sendError(response: ServerResponse, error: HttpError, redactor: Redactor): void {
  const closing: Record<string, string> = error.status === 413 ? { connection: 'close' } : {};
  sendJson(
    response,
    error.status,
    {
      error: {
        code: error.code,
        message: error.message,
        ...(error.problems.length > 0 && { problems: error.problems }),
      },
    },
    redactor,
    { ...error.headers, ...closing },
  );
}

/**
 * The request's JSON body, at most `maxBytes`: refused with 413 from Content-Length before reading, or as
 * soon as a chunked body passes the cap. An empty body reads as `{}`.
 */
export async function readJsonBody(request: IncomingMessage, maxBytes: number): Promise<unknown> {
  const declared = Number(request.headers['content-length'] ?? Number.NaN);
  if (declared > maxBytes) throw tooLarge(maxBytes);
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > maxBytes) throw tooLarge(maxBytes);
    chunks.push(chunk as Buffer);
  }
  if (size === 0) return {};
  const type = request.headers['content-type'] ?? '';
  if (!/^application\/json(\s*;|$)/i.test(type)) {
    throw new HttpError(415, 'UNSUPPORTED_MEDIA_TYPE', 'send the body as application/json');
  }
  try {
    return JSON.parse(Buffer.concat(chunks).toString('utf8'));
  } catch {
    throw new HttpError(400, 'BAD_JSON', 'the body is not valid JSON');
  }
}

function tooLarge(maxBytes: number): HttpError {
  return new HttpError(
    413,
    'BODY_TOO_LARGE',
    `the request body is over the ${Math.round(maxBytes / 1024)} KiB limit`,
  );
}
