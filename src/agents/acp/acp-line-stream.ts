/**
 * The ACP SDK's message stream over a line transport (an agent process's stdin/stdout). We feed it lines
 * ourselves instead of handing it the raw pipes so that every line passes a tap first, in wire order:
 * the SDK dispatches notifications asynchronously and can settle a `session/prompt` response before the
 * `session/update`s that preceded it on the wire, and a turn must not end before its last words.
 */
import type { AnyMessage, Stream } from '@agentclientprotocol/sdk';
import { parseObject } from '../../support/json-record.js';

export interface LineTransport {
  /** Writes one line; false when the peer no longer takes input. */
  writeLine(line: string): boolean;
}

export interface LineStreamTaps {
  /** Every line the agent printed, with its parsed message when it is a JSON object, before the SDK sees it. */
  incoming(line: string, message: Record<string, unknown> | undefined): void;
  /** Every message we send, with its wire form, as it is written. */
  outgoing(message: AnyMessage, line: string): void;
}

export interface LineStream {
  readonly stream: Stream;
  /** Hands one line the agent printed to the taps and then the SDK. */
  push(line: string): void;
  /** The agent's output ended: the SDK closes the connection and rejects what is pending. */
  end(): void;
}

export class InputClosedError extends Error {
  override readonly name = 'InputClosedError';
}

export function createLineStream(transport: LineTransport, taps: LineStreamTaps): LineStream {
  const holder: { controller?: ReadableStreamDefaultController<AnyMessage> } = {};
  let ended = false;
  const readable = new ReadableStream<AnyMessage>({
    start(controller) {
      holder.controller = controller;
    },
    // The SDK stops reading when the connection closes; later lines have nowhere to go.
    cancel() {
      ended = true;
    },
  });
  const writable = new WritableStream<AnyMessage>({
    write(message) {
      const line = JSON.stringify(message);
      taps.outgoing(message, line);
      if (!transport.writeLine(line)) throw new InputClosedError('the agent process no longer takes input');
    },
  });
  return {
    stream: { readable, writable },
    push(line) {
      if (ended) return;
      const message = parseObject(line);
      taps.incoming(line, message);
      // Only JSON objects go on: the SDK would answer anything else with an error of its own. The SDK checks
      // each object's shape itself and answers or rejects a malformed one (its own ndJsonStream hands on
      // every object the same way), so narrowing here would leave such a request unanswered.
      if (message) holder.controller?.enqueue(message as AnyMessage);
    },
    end() {
      if (ended) return;
      ended = true;
      try {
        holder.controller?.close();
      } catch {
        // Already closed by the reader's side.
      }
    },
  };
}
