/**
 * Ready steps waiting for a slot, one binary max-heap per agent so a capped agent never blocks the
 * others: `take` returns the highest-priority step among agents that still have room.
 */

export interface ReadyEntry {
  id: string;
  agent: string;
  /** Bottom level; higher runs first. */
  priority: number;
  /** Plan position; earlier wins ties, so equal plans schedule the same way every time. */
  order: number;
}

function outranks(left: ReadyEntry, right: ReadyEntry): boolean {
  return left.priority > right.priority || (left.priority === right.priority && left.order < right.order);
}

class MaxHeap {
  readonly agent: string;
  readonly items: ReadyEntry[] = [];

  constructor(agent: string) {
    this.agent = agent;
  }

  push(entry: ReadyEntry): void {
    const items = this.items;
    items.push(entry);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      if (!outranks(items[index] as ReadyEntry, items[parent] as ReadyEntry)) break;
      [items[index], items[parent]] = [items[parent] as ReadyEntry, items[index] as ReadyEntry];
      index = parent;
    }
  }

  peek(): ReadyEntry | undefined {
    return this.items[0];
  }

  pop(): ReadyEntry | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last) {
      items[0] = last;
      let index = 0;
      for (;;) {
        const left = index * 2 + 1;
        const right = left + 1;
        let best = index;
        if (left < items.length && outranks(items[left] as ReadyEntry, items[best] as ReadyEntry))
          best = left;
        if (right < items.length && outranks(items[right] as ReadyEntry, items[best] as ReadyEntry))
          best = right;
        if (best === index) break;
        [items[index], items[best]] = [items[best] as ReadyEntry, items[index] as ReadyEntry];
        index = best;
      }
    }
    return top;
  }
}

export class ReadyQueue {
  #heaps = new Map<string, MaxHeap>();
  #size = 0;

  get size(): number {
    return this.#size;
  }

  push(entry: ReadyEntry): void {
    let heap = this.#heaps.get(entry.agent);
    if (!heap) {
      heap = new MaxHeap(entry.agent);
      this.#heaps.set(entry.agent, heap);
    }
    heap.push(entry);
    this.#size++;
  }

  /** Removes and returns the best entry whose agent `hasRoom`, or undefined if none can start now. */
  take(hasRoom: (agent: string) => boolean): ReadyEntry | undefined {
    let bestHeap: MaxHeap | undefined;
    for (const heap of this.#heaps.values()) {
      const top = heap.peek();
      if (!top || !hasRoom(heap.agent)) continue;
      if (!bestHeap || outranks(top, bestHeap.peek() as ReadyEntry)) bestHeap = heap;
    }
    const entry = bestHeap?.pop();
    if (entry) this.#size--;
    return entry;
  }

  /** Removes everything, returning the ids (for cancelling what never started). */
  drain(): string[] {
    const ids = [...this.#heaps.values()].flatMap((heap) => heap.items.map((entry) => entry.id));
    this.#heaps.clear();
    this.#size = 0;
    return ids;
  }
}
