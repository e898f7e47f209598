/**
 * Pending timers of the simulation clock, earliest first. A binary heap keeps "what fires next" at
 * O(log n) even when a large simulated run has hundreds of sleeps pending.
 */

export interface PendingTimer {
  id: number;
  dueAt: number;
  callback: () => void;
  /** Cancelled timers stay in the heap and are skipped when popped (cheaper than removing them). */
  cancelled: boolean;
}

function before(left: PendingTimer, right: PendingTimer): boolean {
  // Equal due times fire in the order they were set, like Node's own timers.
  return left.dueAt < right.dueAt || (left.dueAt === right.dueAt && left.id < right.id);
}

export class TimerHeap {
  readonly #items: PendingTimer[] = [];

  get size(): number {
    return this.#items.length;
  }

  push(timer: PendingTimer): void {
    const items = this.#items;
    items.push(timer);
    let index = items.length - 1;
    while (index > 0) {
      const parent = (index - 1) >> 1;
      const child = items[index] as PendingTimer;
      const above = items[parent] as PendingTimer;
      if (!before(child, above)) break;
      items[index] = above;
      items[parent] = child;
      index = parent;
    }
  }

  peek(): PendingTimer | undefined {
    return this.#items[0];
  }

  pop(): PendingTimer | undefined {
    const items = this.#items;
    const top = items[0];
    const last = items.pop();
    if (items.length === 0 || !last) return top;
    items[0] = last;
    let index = 0;
    for (;;) {
      const left = index * 2 + 1;
      const right = left + 1;
      let best = index;
      if (left < items.length && before(items[left] as PendingTimer, items[best] as PendingTimer))
        best = left;
      if (right < items.length && before(items[right] as PendingTimer, items[best] as PendingTimer))
        best = right;
      if (best === index) break;
      const swap = items[index] as PendingTimer;
      items[index] = items[best] as PendingTimer;
      items[best] = swap;
      index = best;
    }
    return top;
  }
}
