/** Runs ELK's layered layout off the main thread, so a 1,000-step plan never freezes the page. */
import ELK from 'elkjs/lib/elk.bundled.js';

interface LayoutRequest {
  key: string;
  ids: string[];
  edges: Array<[string, string]>;
  width: number;
  height: number;
}

const elk = new ELK();

self.onmessage = async (message: MessageEvent<LayoutRequest>) => {
  const { key, ids, edges, width, height } = message.data;
  try {
    const graph = await elk.layout({
      id: 'plan',
      layoutOptions: {
        'elk.algorithm': 'layered',
        'elk.direction': 'RIGHT',
        'elk.spacing.nodeNode': '14',
        'elk.layered.spacing.nodeNodeBetweenLayers': '56',
        'elk.layered.crossingMinimization.strategy': 'LAYER_SWEEP',
        'elk.layered.thoroughness': ids.length > 400 ? '1' : '7',
        'elk.layered.nodePlacement.strategy': ids.length > 400 ? 'SIMPLE' : 'BRANDES_KOEPF',
        'elk.edgeRouting': 'POLYLINE',
      },
      children: ids.map((id) => ({ id, width, height })),
      edges: edges.map(([from, to], index) => ({ id: `e${index}`, sources: [from], targets: [to] })),
    });
    const positions: Array<[string, number, number]> = (graph.children ?? []).map((node) => [
      node.id,
      node.x ?? 0,
      node.y ?? 0,
    ]);
    self.postMessage({ key, positions });
  } catch (error) {
    self.postMessage({ key, error: String(error) });
  }
};
