/**
 * Sends notifications to every configured channel, in the background: a failing channel is logged and
 * retried with backoff (full jitter, capped), and never stops or slows a run — `notify` returns at once
 * and nothing a channel does reaches the caller. Secrets of a channel (a webhook's path) stay out of logs.
 */
import { backoffDelay } from '../../engine/backoff.js';
import type { RunEvent } from '../../engine/events.js';
import type { RunState } from '../../engine/run-state.js';
import type { BackoffPolicy } from '../../protocol/plan-types.js';
import type { Clock } from '../../support/clock.js';
import { errorMessage } from '../../support/errors.js';
import type { Logger } from '../../support/logger.js';
import { type Notification, notificationOf } from './notification.js';

export interface NotifyChannel {
  /** What logs call it, with nothing secret in it (a webhook's host, a command's program). */
  readonly name: string;
  send(notification: Notification, signal: AbortSignal): Promise<void>;
}

export interface NotifierOptions {
  channels: readonly NotifyChannel[];
  clock: Clock;
  logger: Logger;
  random: () => number;
  /** Tries after the first. @default 4 */
  retries?: number;
  /** @default 1 s doubling to 1 min */
  backoff?: BackoffPolicy;
  /** Literal secrets never to log (a webhook URL). */
  secrets?: readonly string[];
}

export const defaultNotifyBackoff: BackoffPolicy = { initialMs: 1_000, maxMs: 60_000, factor: 2 };

export class Notifier {
  readonly #options: NotifierOptions;
  readonly #pending = new Set<Promise<void>>();
  readonly #closing = new AbortController();

  constructor(options: NotifierOptions) {
    this.#options = options;
  }

  get channels(): readonly NotifyChannel[] {
    return this.#options.channels;
  }

  /** A committed event's notification, if it has one (subscribe this to the engine's committed events). */
  readonly onEvent = (event: RunEvent, state: RunState): void => {
    const notification = notificationOf(event, state);
    if (notification) this.notify(notification);
  };

  /** Sends in the background; returns at once. */
  notify(notification: Notification): void {
    for (const channel of this.#options.channels) {
      const sending = this.#deliver(channel, notification).finally(() => this.#pending.delete(sending));
      this.#pending.add(sending);
    }
  }

  /** Resolves when every notification sent so far was delivered or given up on. */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Waits for what is in flight (at most `graceMs`), then gives up on retries. */
  async close(graceMs = 5_000): Promise<void> {
    const timer = new AbortController();
    await Promise.race([this.idle(), this.#options.clock.sleep(graceMs, timer.signal).catch(() => {})]);
    timer.abort();
    this.#closing.abort();
  }

  async #deliver(channel: NotifyChannel, notification: Notification): Promise<void> {
    const { clock, logger, random } = this.#options;
    const retries = this.#options.retries ?? 4;
    for (let attempt = 1; ; attempt++) {
      try {
        await channel.send(notification, this.#closing.signal);
        return;
      } catch (error) {
        const reason = this.#redact(errorMessage(error));
        if (attempt > retries || this.#closing.signal.aborted) {
          logger.warn('a notification could not be sent; giving up', {
            channel: channel.name,
            kind: notification.kind,
            runId: notification.runId,
            attempts: attempt,
            error: reason,
          });
          return;
        }
        const delayMs = backoffDelay(this.#options.backoff ?? defaultNotifyBackoff, attempt, random);
        logger.warn('a notification could not be sent; trying again', {
          channel: channel.name,
          kind: notification.kind,
          runId: notification.runId,
          attempt,
          retryInMs: delayMs,
          error: reason,
        });
        try {
          await clock.sleep(delayMs, this.#closing.signal);
        } catch {
          return;
        }
      }
    }
  }

  #redact(text: string): string {
    let redacted = text;
    for (const secret of this.#options.secrets ?? []) {
      if (secret !== '') redacted = redacted.split(secret).join('[redacted]');
    }
    return redacted;
  }
}
