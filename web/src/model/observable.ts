/** Change notification for view models, coalesced to one per animation frame however many events arrive. */
import { useEffect, useState } from 'preact/hooks';

export class Observable {
  #listeners = new Set<() => void>();
  #scheduled = false;
  version = 0;

  subscribe(listener: () => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  protected changed(): void {
    this.version++;
    if (this.#scheduled) return;
    this.#scheduled = true;
    requestAnimationFrame(() => {
      this.#scheduled = false;
      for (const listener of [...this.#listeners]) listener();
    });
  }
}

/** Re-renders the component when the observable changes; returns its version for memo keys. */
export function useObservable(observable: Observable | undefined): number {
  const [, setVersion] = useState(0);
  useEffect(() => {
    if (!observable) return undefined;
    setVersion(observable.version);
    return observable.subscribe(() => setVersion(observable.version));
  }, [observable]);
  return observable?.version ?? 0;
}
