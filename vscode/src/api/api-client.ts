/**
 * The authenticated HTTP API of one server. The token goes in the Authorization header only (never in a
 * URL); POSTs carry the server's own URL as Origin, which the server requires of state-changing requests.
 */

import type { ServerInfo } from '../supervisor/server-info.js';
import { ExtensionError, errorMessage } from '../support/errors.js';
import type {
  Health,
  LoginLink,
  PlannedRun,
  PlanText,
  ReviewInput,
  ReviewResult,
  RunSummary,
  StartedRun,
} from './api-types.js';
import {
  expectHealth,
  expectLoginLink,
  expectPlanText,
  expectReview,
  expectRuns,
  expectStartedRun,
} from './response-checks.js';

/** An error answer from the server: its HTTP status, machine code and, for invalid plans, each problem. */
export class ApiError extends ExtensionError {
  readonly status: number;
  readonly apiCode: string;

  constructor(status: number, apiCode: string, message: string, problems: readonly string[]) {
    super('API_ERROR', message, { details: problems });
    this.name = 'ApiError';
    this.status = status;
    this.apiCode = apiCode;
  }
}

export interface RequestOptions {
  timeoutMs?: number;
  signal?: AbortSignal;
}

const defaultTimeoutMs = 15_000;
/** Planning and reviewing wait for models. */
const modelTimeoutMs = 15 * 60_000;

export class ApiClient {
  readonly #server: ServerInfo;

  constructor(server: ServerInfo) {
    this.#server = server;
  }

  get server(): ServerInfo {
    return this.#server;
  }

  async health(options?: RequestOptions): Promise<Health> {
    return expectHealth(await this.#request('GET', '/api/health', undefined, options));
  }

  async listRuns(): Promise<RunSummary[]> {
    return expectRuns(await this.#request('GET', '/api/runs'));
  }

  async planTask(task: string, planner: string | undefined, options?: RequestOptions): Promise<PlannedRun> {
    const body = { task, ...(planner ? { planner } : {}) };
    return expectStartedRun(
      await this.#request('POST', '/api/plans', body, { timeoutMs: modelTimeoutMs, ...options }),
    );
  }

  async runPlan(plan: string, file: string | undefined): Promise<StartedRun> {
    return expectStartedRun(await this.#request('POST', '/api/runs', { plan, ...(file ? { file } : {}) }));
  }

  async review(input: ReviewInput, options?: RequestOptions): Promise<ReviewResult> {
    return expectReview(
      await this.#request('POST', '/api/review', input, { timeoutMs: modelTimeoutMs, ...options }),
    );
  }

  async planOf(runId: string): Promise<PlanText> {
    return expectPlanText(await this.#request('GET', `/api/runs/${encodeURIComponent(runId)}/plan`));
  }

  async decide(runId: string, decision: 'approve' | 'reject', reason?: string): Promise<void> {
    const body = { by: 'vscode', ...(reason ? { reason } : {}) };
    await this.#request('POST', `/api/runs/${encodeURIComponent(runId)}/${decision}`, body);
  }

  async control(runId: string, action: 'cancel' | 'pause' | 'resume'): Promise<void> {
    await this.#request('POST', `/api/runs/${encodeURIComponent(runId)}/${action}`, { by: 'vscode' });
  }

  /** A one-time dashboard sign-in URL (`<url>/#login=<code>`); the code is single-use and short-lived. */
  async loginLink(): Promise<LoginLink> {
    return expectLoginLink(await this.#request('POST', '/api/login-codes', {}));
  }

  async #request(
    method: 'GET' | 'POST',
    path: string,
    body?: unknown,
    options: RequestOptions = {},
  ): Promise<unknown> {
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.#server.token}`,
      accept: 'application/json',
    };
    if (method === 'POST') {
      headers.origin = this.#server.url;
      headers['content-type'] = 'application/json';
    }
    const timeout = AbortSignal.timeout(options.timeoutMs ?? defaultTimeoutMs);
    const signal = options.signal ? AbortSignal.any([timeout, options.signal]) : timeout;
    let response: Response;
    try {
      response = await fetch(`${this.#server.url}${path}`, {
        method,
        headers,
        ...(body !== undefined && { body: JSON.stringify(body) }),
        signal,
        redirect: 'error',
      });
    } catch (error) {
      const reason = timeout.aborted ? 'it did not answer in time' : errorMessage(error);
      throw new ExtensionError(
        'NETWORK',
        `the AI Collab server at ${this.#server.url} is unreachable: ${reason}`,
        { cause: error },
      );
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text.length > 0 ? JSON.parse(text) : {};
    } catch {
      throw new ExtensionError(
        'BAD_RESPONSE',
        `the server answered ${method} ${path} with something other than JSON`,
      );
    }
    if (!response.ok) throw toApiError(response.status, json);
    return json;
  }
}

/** Both error shapes the server uses: `{error: {code, message, problems}}` and `{error, problems}`. */
export function toApiError(status: number, json: unknown): ApiError {
  const body = (typeof json === 'object' && json !== null ? json : {}) as Record<string, unknown>;
  const error = body.error;
  const nested = typeof error === 'object' && error !== null ? (error as Record<string, unknown>) : {};
  const code =
    typeof nested.code === 'string' ? nested.code : typeof error === 'string' ? error : `HTTP_${status}`;
  const message =
    typeof nested.message === 'string'
      ? nested.message
      : typeof body.message === 'string'
        ? body.message
        : `the server answered ${status} (${code})`;
  const problems = nested.problems ?? body.problems;
  const list = Array.isArray(problems)
    ? problems.map((problem) => (typeof problem === 'string' ? problem : JSON.stringify(problem)))
    : [];
  return new ApiError(status, code, message, list);
}
