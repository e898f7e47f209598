/**
 * Live output of a run's running steps, as the dashboard sees it: agent stream parts turned into text,
 * redacted across piece boundaries, coalesced and sent at most every `flushMs`, capped per flush so a
 * flooding step cannot flood the clients. A short tail per running step lets a new viewer catch up.
 */
import type { AgentStreamPart } from '../../agents/agent.js';
import type { Clock } from '../../support/clock.js';
import { type Redactor, StreamRedactor } from '../security/redact.js';
import type { LiveChunk } from './stream-protocol.js';

export interface LiveOutputOptions {
  flushMs: number;
  maxCharsPerFlush: number;
  /** Characters of recent output kept per running step for viewers who arrive late. */
  tailChars?: number;
  /** Text held back for redaction is released after this long without more output. */
  idleReleaseMs?: number;
}

interface StepBuffer {
  stepId: string;
  attempt: number;
  redactor: StreamRedactor;
  pending: string;
  skipped: number;
  tail: string;
  lastWriteAt: number;
}

const maxToolText = 240;

/** The text a viewer sees for one stream part, or undefined for parts that are not output. */
export function describePart(part: AgentStreamPart): string | undefined {
  switch (part.type) {
    case 'text-delta':
      return part.text;
    case 'tool-call':
      return `\n▸ ${part.name} ${clip(safeJson(part.input))}\n`;
    case 'tool-result':
      return `${part.isError ? '✗' : '◂'} ${clip(part.output)}\n`;
    case 'retry-notice':
      return `\n[retry] ${part.message}\n`;
    case 'warning':
      return `\n[warning] ${part.message}\n`;
    case 'unknown-line':
      return `${clip(part.raw)}\n`;
    case 'session-start':
    case 'usage-report':
      return undefined;
    default:
      return undefined;
  }
}

export class LiveOutput {
  readonly #clock: Clock;
  readonly #redactor: Redactor;
  readonly #options: Required<LiveOutputOptions>;
  readonly #emit: (chunks: LiveChunk[]) => void;
  readonly #steps = new Map<string, StepBuffer>();
  #cancelTimer: (() => void) | undefined;

  constructor(
    clock: Clock,
    redactor: Redactor,
    options: LiveOutputOptions,
    emit: (chunks: LiveChunk[]) => void,
  ) {
    this.#clock = clock;
    this.#redactor = redactor;
    this.#options = { tailChars: 16 * 1024, idleReleaseMs: 1_000, ...options };
    this.#emit = emit;
  }

  push(stepId: string, attempt: number, part: AgentStreamPart): void {
    const text = describePart(part);
    if (text === undefined || text === '') return;
    let buffer = this.#steps.get(stepId);
    if (!buffer || buffer.attempt !== attempt) {
      buffer = this.#newBuffer(stepId, attempt);
      this.#steps.set(stepId, buffer);
    }
    buffer.lastWriteAt = this.#clock.now();
    this.#append(buffer, buffer.redactor.write(text));
    this.#schedule();
  }

  /** The step's attempt ended: release what redaction held back, send it, and forget the step. */
  endStep(stepId: string): void {
    const buffer = this.#steps.get(stepId);
    if (!buffer) return;
    this.#append(buffer, buffer.redactor.end());
    this.flush();
    this.#steps.delete(stepId);
  }

  /** Recent output of every running step, for a viewer who just subscribed. */
  backlog(): LiveChunk[] {
    return [...this.#steps.values()]
      .filter((buffer) => buffer.tail !== '')
      .map((buffer) => ({ stepId: buffer.stepId, attempt: buffer.attempt, text: buffer.tail }));
  }

  flush(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    const now = this.#clock.now();
    const chunks: LiveChunk[] = [];
    for (const buffer of this.#steps.values()) {
      if (now - buffer.lastWriteAt >= this.#options.idleReleaseMs) {
        this.#append(buffer, buffer.redactor.end());
      }
      if (buffer.pending === '' && buffer.skipped === 0) continue;
      const note =
        buffer.skipped > 0
          ? `\n… ${buffer.skipped} characters not shown live; the step's log has everything\n`
          : '';
      chunks.push({ stepId: buffer.stepId, attempt: buffer.attempt, text: buffer.pending + note });
      buffer.pending = '';
      buffer.skipped = 0;
    }
    if (chunks.length > 0) this.#emit(chunks);
    // Held-back text of a quiet step still needs a later flush to be released.
    if ([...this.#steps.values()].some((buffer) => buffer.redactor.holding())) this.#schedule();
  }

  close(): void {
    this.#cancelTimer?.();
    this.#cancelTimer = undefined;
    this.#steps.clear();
  }

  #newBuffer(stepId: string, attempt: number): StepBuffer {
    return {
      stepId,
      attempt,
      redactor: new StreamRedactor(this.#redactor),
      pending: '',
      skipped: 0,
      tail: '',
      lastWriteAt: this.#clock.now(),
    };
  }

  #append(buffer: StepBuffer, text: string): void {
    if (text === '') return;
    const room = this.#options.maxCharsPerFlush - buffer.pending.length;
    if (room >= text.length) buffer.pending += text;
    else {
      buffer.pending += text.slice(0, Math.max(room, 0));
      buffer.skipped += text.length - Math.max(room, 0);
    }
    const tail = buffer.tail + text;
    buffer.tail = tail.length > this.#options.tailChars ? tail.slice(-this.#options.tailChars) : tail;
  }

  #schedule(): void {
    if (this.#cancelTimer) return;
    this.#cancelTimer = this.#clock.setTimer(this.#options.flushMs, () => {
      this.#cancelTimer = undefined;
      this.flush();
    });
  }
}

function clip(text: string): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > maxToolText ? `${flat.slice(0, maxToolText)}…` : flat;
}

function safeJson(value: unknown): string {
  try {
    return JSON.stringify(value) ?? '';
  } catch {
    return '';
  }
}
