/**
 * The soak's view into the server's V8, over the inspector protocol (CDP) on a loopback port the server opens
 * with `--inspect=127.0.0.1:0`. It asks for a full collection before a reading, so the soak compares memory
 * something still holds at the mark and at the end, not wherever the old generation's saw-tooth happens to be
 * (its period is longer than a minute at this load, so even window medians land on different phases). It can
 * also count heap objects by constructor, to see which kind of object grows with the number of runs.
 */
import { writeFileSync } from 'node:fs';
import WebSocket from 'ws';
import { z } from 'zod';

const reply = z.object({
  id: z.number(),
  result: z.unknown().optional(),
  error: z.object({ message: z.string() }).optional(),
});
const notification = z.object({ method: z.string(), params: z.unknown().optional() });
const snapshotChunk = z.object({ chunk: z.string() });
const evaluated = z.object({ result: z.object({ value: z.unknown() }) });
const memoryUsage = z.object({ heapUsed: z.number(), external: z.number(), arrayBuffers: z.number() });
/** The parts of a V8 heap snapshot needed to count nodes by type and name. */
const heapSnapshot = z.object({
  snapshot: z.object({
    meta: z.object({ node_fields: z.array(z.string()), node_types: z.array(z.unknown()) }),
  }),
  nodes: z.array(z.number()),
  strings: z.array(z.string()),
});

export type HeapCounts = Map<string, { count: number; bytes: number }>;

/** The `ws://` URL node prints on stderr when it starts with `--inspect`. */
export function inspectorUrl(stderrText: string): string | undefined {
  return /Debugger listening on (ws:\/\/\S+)/.exec(stderrText)?.[1];
}

export class Inspector {
  readonly #socket: WebSocket;
  readonly #pending = new Map<
    number,
    { resolve: (result: unknown) => void; reject: (error: Error) => void }
  >();
  readonly #chunks: string[] = [];
  #nextId = 1;
  readonly opened: Promise<void>;

  constructor(url: string) {
    // No per-message size cap: a heap snapshot arrives in chunks, but a reply may still be large.
    this.#socket = new WebSocket(url, { maxPayload: 0 });
    this.opened = new Promise((resolve, reject) => {
      this.#socket.once('open', () => resolve());
      this.#socket.once('error', reject);
    });
    this.#socket.on('message', (data: Buffer) => this.#receive(data.toString()));
    this.#socket.on('close', () => {
      for (const { reject } of this.#pending.values()) reject(new Error('the inspector connection closed'));
      this.#pending.clear();
    });
  }

  /** A full, compacting collection of every space (CDP's HeapProfiler.collectGarbage). */
  async collectGarbage(): Promise<void> {
    await this.#call('HeapProfiler.collectGarbage');
  }

  /** The server's `process.memoryUsage()`: JS heap in use, and memory outside it that JS objects own. */
  async memoryUsage(): Promise<z.infer<typeof memoryUsage>> {
    const result = evaluated.parse(
      await this.#call('Runtime.evaluate', {
        expression: 'process.memoryUsage()',
        returnByValue: true,
      }),
    );
    return memoryUsage.parse(result.result.value);
  }

  /**
   * Objects on the heap, counted by "type:constructor" (V8 collects garbage before taking a snapshot); with
   * `saveTo`, the snapshot is also written there, for Chrome's memory tool (which shows who holds what).
   */
  async heapCounts(saveTo?: string): Promise<HeapCounts> {
    this.#chunks.length = 0;
    await this.#call('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
    const text = this.#chunks.join('');
    this.#chunks.length = 0;
    if (saveTo) writeFileSync(saveTo, text);
    const snapshot = heapSnapshot.parse(JSON.parse(text));
    const fields = snapshot.snapshot.meta.node_fields;
    const types = z.array(z.string()).parse(snapshot.snapshot.meta.node_types[0]);
    const [typeAt, nameAt, sizeAt] = ['type', 'name', 'self_size'].map((field) => fields.indexOf(field));
    const counts: HeapCounts = new Map();
    for (let node = 0; node < snapshot.nodes.length; node += fields.length) {
      const type = types[snapshot.nodes[node + (typeAt ?? 0)] ?? 0] ?? '?';
      const name =
        type === 'object' || type === 'closure'
          ? snapshot.strings[snapshot.nodes[node + (nameAt ?? 0)] ?? 0]
          : '';
      const key = `${type}:${name ?? ''}`;
      const entry = counts.get(key) ?? { count: 0, bytes: 0 };
      entry.count++;
      entry.bytes += snapshot.nodes[node + (sizeAt ?? 0)] ?? 0;
      counts.set(key, entry);
    }
    return counts;
  }

  close(): void {
    this.#socket.close();
  }

  #call(method: string, params: Record<string, unknown> = {}): Promise<unknown> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve, reject });
      this.#socket.send(JSON.stringify({ id, method, params }));
    });
  }

  #receive(text: string): void {
    const message: unknown = JSON.parse(text);
    const answer = reply.safeParse(message);
    if (answer.success) {
      const waiting = this.#pending.get(answer.data.id);
      this.#pending.delete(answer.data.id);
      if (answer.data.error) waiting?.reject(new Error(answer.data.error.message));
      else waiting?.resolve(answer.data.result);
      return;
    }
    const event = notification.safeParse(message);
    if (event.success && event.data.method === 'HeapProfiler.addHeapSnapshotChunk') {
      this.#chunks.push(snapshotChunk.parse(event.data.params).chunk);
    }
  }
}

/** The kinds of object whose count grew most between two snapshots, as printable lines. */
export function heapGrowth(before: HeapCounts, after: HeapCounts, top: number): string[] {
  const rows = [...after].map(([key, { count, bytes }]) => {
    const was = before.get(key) ?? { count: 0, bytes: 0 };
    return { key, count, grew: count - was.count, bytes: bytes - was.bytes };
  });
  rows.sort((a, b) => b.grew - a.grew);
  return rows
    .slice(0, top)
    .map(
      (row) =>
        `    ${String(row.grew >= 0 ? `+${row.grew}` : row.grew).padStart(8)} ${String(row.count).padStart(8)}  ${(row.bytes / 1_024).toFixed(0).padStart(7)} kB  ${row.key}`,
    );
}
