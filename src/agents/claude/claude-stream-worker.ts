/**
 * One warm `claude -p --input-format stream-json` process. It serves one turn at a time: a user
 * message in, events out until the `result` line. Between turns it stays alive, so a step pays no
 * start-up; the pool decides when it is recycled.
 */
import type { Clock } from '../../support/clock.js';
import type { AgentStreamPart } from '../agent.js';
import { ProcessWorker } from '../pool/process-worker.js';
import { AgentProcess, type ProcessExit } from '../process/agent-process.js';
import { streamArgs, userMessageLine } from './claude-args.js';
import { type ClaudeResultLine, parseClaudeLine, resultParts } from './claude-messages.js';
import type { ClaudeSpec } from './claude-spec.js';

export type TurnOutcome =
  | { kind: 'result'; result: ClaudeResultLine; parts: AgentStreamPart[] }
  | { kind: 'exited'; exit: ProcessExit; stderrTail: string; parts: AgentStreamPart[] }
  | { kind: 'aborted'; parts: AgentStreamPart[] };

/** Where a turn's raw lines go: the step's capped transcript, or nowhere. */
export interface TranscriptSink {
  write(chunk: Buffer): unknown;
}

const discard: TranscriptSink = { write: () => true };

export interface TurnRequest {
  prompt: string;
  signal: AbortSignal;
  transcript: TranscriptSink;
  onPart(part: AgentStreamPart): void;
}

export class ClaudeStreamWorker extends ProcessWorker {
  readonly cwd: string;
  /**
   * `total_cost_usd` so far: a long-lived process reports its cost summed over every turn it served
   * (`/clear` does not reset it, measured with the real CLI), so one turn's cost is the difference.
   */
  #costSoFar = 0;

  private constructor(process: AgentProcess, cwd: string) {
    super(process);
    this.cwd = cwd;
  }

  static async start(options: {
    spec: ClaudeSpec;
    cwd: string;
    env: Record<string, string>;
    tag: { name: string; value: string };
    clock: Clock;
    /** How long the first (local) message may take before the process counts as broken. */
    primeTimeoutMs?: number;
  }): Promise<ClaudeStreamWorker> {
    const process = await AgentProcess.start({
      command: options.spec.command,
      args: streamArgs(options.spec),
      cwd: options.cwd,
      env: options.env,
      tag: options.tag,
      clock: options.clock,
      stdin: 'pipe',
    });
    const worker = new ClaudeStreamWorker(process, options.cwd);
    // Claude Code initialises lazily on its first message. A local `/clear` (no model request, no
    // tokens) makes it do that now, off the critical path: measured, the first real turn then reaches
    // the model in ~0.1 s instead of ~0.26 s. A process that cannot even do that never joins the pool.
    if (!(await worker.clearContext(options.primeTimeoutMs ?? 60_000, options.clock))) {
      const reason = process.alive
        ? 'did not answer its first message'
        : `exited (${process.exitInfo?.code ?? process.exitInfo?.signal})`;
      const said = process.stderrTail().trim().split('\n').pop()?.trim();
      await process.stop(1_000);
      throw new Error(`claude ${reason}${said ? `: ${said}` : ''}`);
    }
    return worker;
  }

  /**
   * Starts a fresh conversation on the same warm process (Claude Code's `/clear`, measured at ~50 ms),
   * so the next step sees none of this one's context. Resolves false if the process did not confirm.
   */
  async clearContext(timeoutMs: number, clock: Clock): Promise<boolean> {
    const controller = new AbortController();
    const timer = clock.setTimer(timeoutMs, () => controller.abort());
    try {
      const outcome = await this.runTurn({
        prompt: '/clear',
        signal: controller.signal,
        transcript: discard,
        onPart: () => {},
      });
      return outcome.kind === 'result' && !outcome.result.is_error;
    } finally {
      timer();
    }
  }

  /** The result with this turn's own cost in place of the process's running total. */
  #ownCost(result: ClaudeResultLine): ClaudeResultLine {
    const total = result.total_cost_usd;
    if (typeof total !== 'number') return result;
    const own = Math.max(0, total - this.#costSoFar);
    this.#costSoFar = Math.max(this.#costSoFar, total);
    return { ...result, total_cost_usd: own };
  }

  /** Sends one prompt and collects the turn until its `result`, the process's exit, or the abort. */
  runTurn(request: TurnRequest): Promise<TurnOutcome> {
    const parts: AgentStreamPart[] = [];
    return new Promise<TurnOutcome>((resolve) => {
      let settled = false;
      const finish = (outcome: TurnOutcome): void => {
        if (settled) return;
        settled = true;
        this.process.onLine(undefined);
        this.process.onStderr(undefined);
        request.signal.removeEventListener('abort', onAbort);
        resolve(outcome);
      };
      const onAbort = (): void => finish({ kind: 'aborted', parts });
      this.process.onStderr((text) => request.transcript.write(Buffer.from(text)));
      this.process.onLine((line) => {
        request.transcript.write(Buffer.from(`${line}\n`));
        const parsed = parseClaudeLine(line);
        if (parsed.kind === 'control') return;
        const result = parsed.kind === 'result' ? this.#ownCost(parsed.result) : undefined;
        for (const part of result ? resultParts(result) : parsed.parts) {
          parts.push(part);
          request.onPart(part);
        }
        if (result) finish({ kind: 'result', result, parts });
      });
      // `exited` never rejects; this only routes the exit into the turn's outcome.
      void this.process.exited.then((exit) =>
        finish({ kind: 'exited', exit, stderrTail: this.process.stderrTail(), parts }),
      );
      if (request.signal.aborted) {
        onAbort();
        return;
      }
      request.signal.addEventListener('abort', onAbort, { once: true });
      if (!this.process.writeLine(userMessageLine(request.prompt))) {
        finish({
          kind: 'exited',
          exit: this.process.exitInfo ?? { code: null, signal: null },
          stderrTail: this.process.stderrTail(),
          parts,
        });
      }
    });
  }
}
