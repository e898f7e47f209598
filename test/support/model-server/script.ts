import type { ModelRequest } from './conversation.js';
import { httpError, type Turn } from './turns.js';

/**
 * A scenario: a queue of turns answered in order, or a function that looks at each request (its
 * `lastUserText`, `pendingToolResults`, `api`, …) and picks the turn; `undefined` means "no turn
 * scripted" (the fallback). Auxiliary requests never reach the script: see `ScriptOptions.auxiliary`.
 */
export type Script = readonly Turn[] | ((request: ModelRequest) => Turn | undefined);

export interface ScriptOptions {
  /**
   * Turn used once a queue is exhausted, or when a function returns undefined. By default a 400,
   * which no CLI retries, so a test whose script runs short fails at once with a clear message.
   */
  fallback?: (request: ModelRequest) => Turn;
  /**
   * Answers the CLIs' side requests (claude's title query, gemini's next-speaker check). They carry the
   * user's prompt too, so a marker-matching script would answer them by mistake; they get a short
   * neutral reply in the request's API unless this returns a turn.
   */
  auxiliary?: (request: ModelRequest) => Turn | undefined;
}

/** Hands out turns. Auxiliary requests never consume a queued turn. */
export class ScriptRunner {
  readonly #script: Script;
  readonly #fallback: (request: ModelRequest) => Turn;
  readonly #auxiliary: (request: ModelRequest) => Turn | undefined;
  #next = 0;

  constructor(script: Script, options: ScriptOptions = {}) {
    this.#script = script;
    this.#auxiliary = options.auxiliary ?? (() => undefined);
    this.#fallback =
      options.fallback ??
      ((request) =>
        httpError(400, {
          message: `scripted model server: no turn scripted for request #${request.index} (${request.api})`,
        }));
  }

  turnFor(request: ModelRequest, auxiliaryTurn: Turn): Turn {
    if (request.auxiliary) return this.#auxiliary(request) ?? auxiliaryTurn;
    if (typeof this.#script === 'function') return this.#script(request) ?? this.#fallback(request);
    const queue: readonly Turn[] = this.#script;
    const turn = queue[this.#next];
    if (turn === undefined) return this.#fallback(request);
    this.#next++;
    return turn;
  }

  /** Queued turns not yet answered: a test can assert its whole script was used. */
  get remaining(): number {
    return typeof this.#script === 'function' ? 0 : this.#script.length - this.#next;
  }
}
