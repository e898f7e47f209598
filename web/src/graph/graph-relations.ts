/** How each step and edge relates to the selected step: on its way in (upstream), on its way out, or neither. */
import type { RunState, StepState } from '../../../src/engine/run-state.js';

export type Relation = 'upstream' | 'downstream' | 'dimmed';

export interface Relatives {
  selected: string;
  /** Every step the selected one waits for, transitively. */
  upstream: Set<string>;
  /** Every step that waits for the selected one, transitively. */
  downstream: Set<string>;
}

/** The selected step's relatives, or undefined when no step is selected. */
export function relatives(state: RunState, selected: string | undefined): Relatives | undefined {
  const origin = selected === undefined ? undefined : state.steps[selected];
  if (selected === undefined || !origin) return undefined;
  const walk = (next: (step: StepState) => readonly string[]): Set<string> => {
    const found = new Set<string>();
    const queue = [...next(origin)];
    for (let head = 0; head < queue.length; head++) {
      const id = queue[head] as string;
      const step = state.steps[id];
      if (found.has(id) || !step) continue;
      found.add(id);
      queue.push(...next(step));
    }
    return found;
  };
  return { selected, upstream: walk((step) => step.needs), downstream: walk((step) => step.dependents) };
}

/** A node's relation; the selected node itself (and every node while none is selected) has none. */
export function nodeRelation(related: Relatives | undefined, id: string): Relation | undefined {
  if (related === undefined || id === related.selected) return undefined;
  if (related.upstream.has(id)) return 'upstream';
  return related.downstream.has(id) ? 'downstream' : 'dimmed';
}

/** An edge is upstream or downstream when both its ends are (or are the selected step). */
export function edgeRelation(related: Relatives | undefined, from: string, to: string): Relation | undefined {
  if (related === undefined) return undefined;
  const { selected, upstream, downstream } = related;
  if ((upstream.has(from) || from === selected) && (upstream.has(to) || to === selected)) return 'upstream';
  if ((downstream.has(to) || to === selected) && (downstream.has(from) || from === selected))
    return 'downstream';
  return 'dimmed';
}
