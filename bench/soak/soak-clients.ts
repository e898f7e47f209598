/**
 * The WebSocket side of the soak: clients that follow every run the server announces, from its first event,
 * and check that each event arrives exactly once and in order.
 */
import WebSocket from 'ws';
import type { ServerMessage } from '../../src/server/stream/stream-protocol.js';

interface RunTally {
  /** The last seq received (0: nothing yet); an event that does not continue it is a gap or a repeat. */
  lastSeq: number;
  finishedSeq: number | undefined;
  status: string | undefined;
}

export interface ClientReport {
  runsFinished: number;
  events: number;
  problems: string[];
}

export class SoakClient {
  readonly #socket: WebSocket;
  readonly #runs = new Map<string, RunTally>();
  readonly #problems: string[] = [];
  #events = 0;
  #closedEarly = false;
  readonly opened: Promise<void>;

  constructor(url: string, token: string) {
    this.#socket = new WebSocket(`${url.replace('http:', 'ws:')}/api/stream`, {
      origin: url,
      headers: { authorization: `Bearer ${token}` },
    });
    this.opened = new Promise((resolve, reject) => {
      this.#socket.once('open', () => {
        this.#socket.send(JSON.stringify({ type: 'subscribe-runs' }));
        resolve();
      });
      this.#socket.once('error', reject);
    });
    this.#socket.on('close', () => {
      this.#closedEarly = true;
    });
    this.#socket.on('message', (data: Buffer) => this.#receive(JSON.parse(data.toString()) as ServerMessage));
  }

  /** Follows a run from its first event (afterSeq 0: the server replays the log, no snapshot). */
  follow(runId: string): void {
    if (this.#runs.has(runId)) return;
    this.#runs.set(runId, { lastSeq: 0, finishedSeq: undefined, status: undefined });
    this.#socket.send(JSON.stringify({ type: 'subscribe', runId, afterSeq: 0 }));
  }

  finished(runId: string): boolean {
    return this.#runs.get(runId)?.finishedSeq !== undefined;
  }

  statusOf(runId: string): string | undefined {
    return this.#runs.get(runId)?.status;
  }

  report(expected: readonly string[]): ClientReport {
    const problems = [...this.#problems];
    if (this.#closedEarly) problems.push('the connection closed during the soak');
    for (const runId of expected) {
      const tally = this.#runs.get(runId);
      if (!tally?.finishedSeq) problems.push(`${runId}: never saw run.finished`);
      else if (tally.lastSeq !== tally.finishedSeq) problems.push(`${runId}: events after run.finished`);
    }
    return {
      runsFinished: expected.filter((runId) => this.finished(runId)).length,
      events: this.#events,
      problems,
    };
  }

  close(): void {
    this.#socket.removeAllListeners('close');
    this.#socket.close();
  }

  #receive(message: ServerMessage): void {
    if (message.type === 'run-updated') this.follow(message.run.runId);
    else if (message.type === 'runs') for (const run of message.runs) this.follow(run.runId);
    else if (message.type === 'snapshot') {
      this.#problems.push(`${message.runId}: a snapshot at seq ${message.seq} instead of every event`);
    } else if (message.type === 'events') {
      const tally = this.#runs.get(message.runId);
      if (!tally) return;
      for (const event of message.events) {
        this.#events++;
        if (event.seq !== tally.lastSeq + 1) {
          this.#problems.push(`${message.runId}: seq ${event.seq} after ${tally.lastSeq}`);
        }
        tally.lastSeq = Math.max(tally.lastSeq, event.seq);
        if (event.type === 'run.finished') {
          tally.finishedSeq = event.seq;
          tally.status = event.data.status;
          // As a dashboard leaving a finished run: the server may then let the run go.
          this.#socket.send(JSON.stringify({ type: 'unsubscribe', runId: message.runId }));
        }
      }
    } else if (message.type === 'error')
      this.#problems.push(`server error: ${message.code} ${message.message}`);
  }
}
