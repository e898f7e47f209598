/** JSON calls to the server's API with the bearer token; failures become `ApiError` with the server's words. */

export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly problems: readonly string[];

  constructor(status: number, code: string, message: string, problems: readonly string[] = []) {
    super(message);
    this.status = status;
    this.code = code;
    this.problems = problems;
  }
}

export class ApiClient {
  readonly #token: string;

  constructor(token: string) {
    this.#token = token;
  }

  get<T>(path: string): Promise<T> {
    return this.#call<T>('GET', path);
  }

  post<T>(path: string, body: unknown = {}): Promise<T> {
    return this.#call<T>('POST', path, body);
  }

  async text(path: string): Promise<string> {
    const response = await fetch(path, { headers: { authorization: `Bearer ${this.#token}` } });
    if (!response.ok) throw new ApiError(response.status, 'HTTP', `${path} answered ${response.status}`);
    return response.text();
  }

  async #call<T>(method: string, path: string, body?: unknown): Promise<T> {
    const response = await fetch(path, {
      method,
      headers: {
        authorization: `Bearer ${this.#token}`,
        ...(body !== undefined && { 'content-type': 'application/json' }),
      },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const payload = (await response.json().catch(() => ({}))) as {
      error?: { code?: string; message?: string; problems?: string[] };
    };
    if (!response.ok) {
      const error = payload.error ?? {};
      throw new ApiError(
        response.status,
        error.code ?? 'HTTP',
        error.message ?? `${method} ${path} answered ${response.status}`,
        error.problems ?? [],
      );
    }
    return payload as T;
  }
}
