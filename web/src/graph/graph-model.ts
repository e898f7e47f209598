/**
 * The plan graph as drawn: which steps are visible (descendants of a collapsed step are hidden), and a
 * fast layered layout (longest-path layers, one barycentre sweep) used at once, before ELK's arrives.
 */
import type { RunState } from '../../../src/engine/run-state.js';

export const nodeWidth = 200;
export const nodeHeight = 52;
const gapX = 56;
const gapY = 14;

export interface VisibleGraph {
  ids: string[];
  edges: Array<[string, string]>;
  /** Steps hidden under each collapsed step. */
  hiddenUnder: Map<string, number>;
  /** Identifies the structure, so layouts can be cached and matched. */
  key: string;
}

export type Positions = Map<string, { x: number; y: number }>;

export function visibleGraph(
  state: Pick<RunState, 'order' | 'steps'>,
  collapsed: ReadonlySet<string>,
): VisibleGraph {
  const hidden = new Set<string>();
  const hiddenUnder = new Map<string, number>();
  for (const id of collapsed) {
    const queue = [...(state.steps[id]?.dependents ?? [])];
    let count = 0;
    for (let head = 0; head < queue.length; head++) {
      const next = queue[head] as string;
      if (hidden.has(next) || next === id) continue;
      hidden.add(next);
      count++;
      queue.push(...(state.steps[next]?.dependents ?? []));
    }
    hiddenUnder.set(id, count);
  }
  const ids = state.order.filter((id) => !hidden.has(id));
  const edges: Array<[string, string]> = [];
  for (const id of ids) {
    for (const need of state.steps[id]?.needs ?? []) if (!hidden.has(need)) edges.push([need, id]);
  }
  // The whole structure, not its counts: two plans of the same size must never share a cached layout.
  const key = [
    [...collapsed].sort().join(','),
    ids.join('\n'),
    edges.map(([from, to]) => `${from}>${to}`).join('\n'),
  ].join('\u0000');
  return { ids, edges, hiddenUnder, key };
}

export function quickLayout(graph: VisibleGraph): Positions {
  const needs = new Map<string, string[]>();
  for (const id of graph.ids) needs.set(id, []);
  for (const [from, to] of graph.edges) needs.get(to)?.push(from);
  const rank = new Map<string, number>();
  // Plan order lists dependencies first (the validator guarantees a DAG), so one pass ranks everything.
  for (const id of graph.ids) {
    let value = 0;
    for (const need of needs.get(id) ?? []) value = Math.max(value, (rank.get(need) ?? 0) + 1);
    rank.set(id, value);
  }
  const layers: string[][] = [];
  for (const id of graph.ids) {
    const value = rank.get(id) ?? 0;
    const layer = layers[value] ?? [];
    layer.push(id);
    layers[value] = layer;
  }
  const row = new Map<string, number>();
  for (const layer of layers) {
    if (!layer) continue;
    const weight = (id: string): number => {
      const rows = (needs.get(id) ?? []).map((need) => row.get(need) ?? 0);
      return rows.length === 0 ? Number.POSITIVE_INFINITY : rows.reduce((a, b) => a + b, 0) / rows.length;
    };
    layer.sort((a, b) => weight(a) - weight(b));
    layer.forEach((id, index) => {
      row.set(id, index);
    });
  }
  const tallest = Math.max(1, ...layers.map((layer) => layer?.length ?? 0));
  const positions: Positions = new Map();
  layers.forEach((layer, index) => {
    const offset = ((tallest - layer.length) * (nodeHeight + gapY)) / 2;
    layer.forEach((id, position) => {
      positions.set(id, { x: index * (nodeWidth + gapX), y: offset + position * (nodeHeight + gapY) });
    });
  });
  return positions;
}
