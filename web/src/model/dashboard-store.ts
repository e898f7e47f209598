/** The dashboard's state: the runs list, the runs it follows, and the connection; fed by the stream. */
import type { RunSummary, ServerMessage } from '../../../src/server/stream/stream-protocol.js';
import { ApiClient } from './api-client.js';
import { MetricsSampler } from './metrics-sampler.js';
import { Observable } from './observable.js';
import { RunModel } from './run-model.js';
import { RunNotifier } from './run-notifier.js';
import { type ConnectionState, StreamConnection } from './stream-connection.js';

/** Runs followed at once (the server allows 32 per connection). */
const maxFollowedRuns = 8;

export class DashboardStore extends Observable {
  readonly api: ApiClient;
  readonly notifier = new RunNotifier();
  readonly metrics = new MetricsSampler();
  runs: RunSummary[] = [];
  connection: ConnectionState = 'connecting';
  /** Bytes of stream frames received, for the metrics view. */
  bytesReceived = 0;
  framesReceived = 0;
  readonly #models = new Map<string, RunModel>();
  readonly #stream: StreamConnection;

  constructor(token: string) {
    super();
    this.api = new ApiClient(token);
    this.#stream = new StreamConnection(token, {
      message: (message, bytes) => {
        this.framesReceived++;
        this.bytesReceived += bytes;
        this.#receive(message);
      },
      state: (state) => {
        this.connection = state;
        this.changed();
      },
    });
    this.#stream.followRuns();
  }

  /** Stops the stream (the session ended). */
  close(): void {
    this.#stream.close();
  }

  /** The run's model, subscribed on first use; the least recently viewed runs are let go. */
  run(runId: string): RunModel {
    let model = this.#models.get(runId);
    if (model) this.#models.delete(runId);
    else {
      const created = new RunModel(runId);
      this.#stream.subscribe(runId, () => created.lastSeq);
      model = created;
    }
    this.#models.set(runId, model);
    for (const oldest of this.#models.keys()) {
      if (this.#models.size <= maxFollowedRuns) break;
      this.#models.delete(oldest);
      this.#stream.unsubscribe(oldest);
    }
    return model;
  }

  #receive(message: ServerMessage): void {
    switch (message.type) {
      case 'runs':
        this.runs = message.runs;
        this.changed();
        return;
      case 'run-updated': {
        const index = this.runs.findIndex((run) => run.runId === message.run.runId);
        this.notifier.changed(this.runs[index], message.run);
        if (index >= 0) this.runs[index] = message.run;
        else this.runs = [message.run, ...this.runs];
        this.runs = [...this.runs];
        this.changed();
        return;
      }
      case 'snapshot':
        this.#models.get(message.runId)?.applySnapshot(message.state);
        return;
      case 'events': {
        const model = this.#models.get(message.runId);
        if (model && !model.applyEvents(message.events)) this.#stream.resync(message.runId);
        return;
      }
      case 'live':
        this.#models.get(message.runId)?.appendLive(message.chunks);
        return;
      case 'hello':
      case 'error':
        return;
    }
  }
}
