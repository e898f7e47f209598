/** Positions for the visible graph: the quick layout at once, ELK's (from a worker) when it is ready. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { nodeHeight, nodeWidth, type Positions, quickLayout, type VisibleGraph } from './graph-model.js';

let worker: Worker | undefined;
const cache = new Map<string, Positions>();

function layoutWorker(): Worker {
  worker ??= new Worker(new URL('./elk-layout-worker.ts', import.meta.url), { type: 'module' });
  return worker;
}

export function useLayout(graph: VisibleGraph): { positions: Positions; refined: boolean } {
  const quick = useMemo(() => quickLayout(graph), [graph.key]);
  const [refined, setRefined] = useState<Positions | undefined>(cache.get(graph.key));
  useEffect(() => {
    const cached = cache.get(graph.key);
    setRefined(cached);
    if (cached) return undefined;
    const target = layoutWorker();
    const onMessage = (
      message: MessageEvent<{ key: string; positions?: Array<[string, number, number]> }>,
    ) => {
      if (message.data.key !== graph.key || !message.data.positions) return;
      const positions: Positions = new Map(message.data.positions.map(([id, x, y]) => [id, { x, y }]));
      cache.set(graph.key, positions);
      setRefined(positions);
    };
    target.addEventListener('message', onMessage);
    target.postMessage({
      key: graph.key,
      ids: graph.ids,
      edges: graph.edges,
      width: nodeWidth,
      height: nodeHeight,
    });
    return () => target.removeEventListener('message', onMessage);
  }, [graph.key]);
  return { positions: refined ?? quick, refined: refined !== undefined };
}
