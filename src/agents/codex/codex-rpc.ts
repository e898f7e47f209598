/**
 * JSON-RPC over a codex app-server's stdio, as codex speaks it: one JSON object per line and no
 * `"jsonrpc":"2.0"` member (measured, 0.171.0). Requests get a numbered id and resolve with the result or
 * reject with the error; the server's own requests (approvals, questions) are answered by a handler;
 * notifications and every raw line go to whoever listens (the step being served).
 */
import type { Clock } from '../../support/clock.js';
import { isRecord, parseObject } from '../../support/json-record.js';
import type { AgentProcess } from '../process/agent-process.js';

export interface RpcNotification {
  method: string;
  params: Record<string, unknown>;
}

export interface RpcServerRequest {
  method: string;
  params: Record<string, unknown>;
}

/** A server request's answer: a result, or a JSON-RPC error. */
export type RpcReply = { result: unknown } | { error: { code: number; message: string } };

export interface RpcListener {
  /** Every stdout line, as printed (for the step's transcript). */
  onLine?(line: string): void;
  onNotification?(notification: RpcNotification): void;
  /** A line that is not a JSON-RPC message. */
  onUnknown?(line: string): void;
}

export class RpcError extends Error {
  override readonly name = 'RpcError';
  readonly code: number;
  constructor(method: string, code: number, message: string) {
    super(`${method}: ${message} (${code})`);
    this.code = code;
  }
}

/** No answer in time, or the process is gone: the worker can no longer be trusted with a step. */
export class RpcUnavailableError extends Error {
  override readonly name = 'RpcUnavailableError';
}

interface Pending {
  method: string;
  resolve(result: Record<string, unknown>): void;
  reject(error: Error): void;
  cancelTimer(): void;
}

export class CodexRpc {
  readonly #process: AgentProcess;
  readonly #clock: Clock;
  readonly #answer: (request: RpcServerRequest) => RpcReply;
  readonly #pending = new Map<number, Pending>();
  #nextId = 0;
  #listener: RpcListener | undefined;

  constructor(process: AgentProcess, clock: Clock, answer: (request: RpcServerRequest) => RpcReply) {
    this.#process = process;
    this.#clock = clock;
    this.#answer = answer;
    process.onLine((line) => this.#read(line));
    // `exited` never rejects; this only fails what is still waiting.
    void process.exited.then((exit) => {
      const why = exit.signal ? `killed by ${exit.signal}` : `exited with code ${exit.code}`;
      for (const [id, pending] of this.#pending) {
        this.#pending.delete(id);
        pending.cancelTimer();
        pending.reject(new RpcUnavailableError(`codex app-server ${why} before answering ${pending.method}`));
      }
    });
  }

  /** Routes lines to one listener at a time (the step being served), or to none. */
  listen(listener: RpcListener | undefined): void {
    this.#listener = listener;
  }

  request(method: string, params: unknown, timeoutMs: number): Promise<Record<string, unknown>> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const cancelTimer = this.#clock.setTimer(timeoutMs, () => {
        if (!this.#pending.delete(id)) return;
        reject(new RpcUnavailableError(`codex app-server did not answer ${method} within ${timeoutMs} ms`));
      });
      this.#pending.set(id, { method, resolve, reject, cancelTimer });
      if (!this.#process.writeLine(JSON.stringify({ method, id, params }))) {
        this.#pending.delete(id);
        cancelTimer();
        reject(new RpcUnavailableError(`codex app-server is not running (sending ${method})`));
      }
    });
  }

  notify(method: string, params?: unknown): boolean {
    return this.#process.writeLine(JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  #read(line: string): void {
    this.#listener?.onLine?.(line);
    const message = parseObject(line);
    if (!message) {
      this.#listener?.onUnknown?.(line);
      return;
    }
    const method = typeof message.method === 'string' ? message.method : undefined;
    const id = typeof message.id === 'number' || typeof message.id === 'string' ? message.id : undefined;
    const params = isRecord(message.params) ? message.params : {};
    if (method !== undefined && id !== undefined) {
      const reply = this.#answer({ method, params });
      this.#process.writeLine(JSON.stringify({ id, ...reply }));
      return;
    }
    if (method !== undefined) {
      this.#listener?.onNotification?.({ method, params });
      return;
    }
    const pending = typeof id === 'number' ? this.#pending.get(id) : undefined;
    if (typeof id !== 'number' || !pending) {
      this.#listener?.onUnknown?.(line);
      return;
    }
    this.#pending.delete(id);
    pending.cancelTimer();
    if (isRecord(message.error)) {
      const code = typeof message.error.code === 'number' ? message.error.code : -1;
      pending.reject(new RpcError(pending.method, code, String(message.error.message ?? 'error')));
    } else {
      pending.resolve(isRecord(message.result) ? message.result : {});
    }
  }
}
