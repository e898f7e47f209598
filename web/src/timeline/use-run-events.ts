/**
 * Feeds a run's whole history into a fold: the events read once from the API in pages, then every delta
 * from the stream (those that arrive while the pages load are held and applied after, without doubles).
 */
import { useEffect, useState } from 'preact/hooks';
import type { WireEvent } from '../../../src/server/stream/stream-protocol.js';
import type { ApiClient } from '../model/api-client.js';
import type { RunModel } from '../model/run-model.js';

export function useRunEvents(
  api: ApiClient,
  model: RunModel,
  add: (events: readonly WireEvent[]) => void,
): { loaded: boolean; version: number } {
  const [loaded, setLoaded] = useState(false);
  const [version, setVersion] = useState(0);
  useEffect(() => {
    let cancelled = false;
    const buffered: WireEvent[] = [];
    let ready = false;
    let after = 0;
    const off = model.onEvents((events) => {
      if (!ready) {
        buffered.push(...events);
        return;
      }
      const fresh = events.filter((event) => event.seq > after);
      after = fresh[fresh.length - 1]?.seq ?? after;
      add(fresh);
      setVersion((count) => count + 1);
    });
    (async () => {
      for (;;) {
        const page = await api.get<{ events: WireEvent[]; more: boolean; lastSeq: number }>(
          `/api/runs/${encodeURIComponent(model.runId)}/events?after=${after}&limit=5000`,
        );
        if (cancelled) return;
        add(page.events);
        after = page.events[page.events.length - 1]?.seq ?? after;
        if (!page.more) break;
      }
      const fresh = buffered.filter((event) => event.seq > after);
      add(fresh);
      after = fresh[fresh.length - 1]?.seq ?? after;
      ready = true;
      setLoaded(true);
    })().catch(() => setLoaded(true));
    return () => {
      cancelled = true;
      off();
    };
  }, [model.runId]);
  return { loaded, version };
}
