/** Search over the graph's steps: by id, agent, status, target or description, or `status:failed`. */
import { useMemo, useState } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';

export interface StepSearch {
  query: string;
  /** Visible steps that match, in plan order. */
  matches: string[];
  /** A new query: the next jump goes to its first match. */
  search(query: string): void;
  /** Jumps to the next match, round and round. */
  jumpToNext(): void;
}

export function useStepSearch(
  state: RunState,
  ids: readonly string[],
  jump: (id: string) => void,
): StepSearch {
  const [query, setQuery] = useState('');
  const [cursor, setCursor] = useState(0);
  const targets = useMemo(
    () =>
      new Map(state.plan.steps.map((step) => [step.id, `${step.target ?? ''} ${step.description ?? ''}`])),
    [state.plan],
  );
  const matches = useMemo(
    () => findMatches(state, ids, query, targets),
    [ids, query, targets, state.lastSeq],
  );
  return {
    query,
    matches,
    search: (text) => {
      setQuery(text);
      setCursor(0);
    },
    jumpToNext: () => {
      const id = matches[cursor % Math.max(matches.length, 1)];
      if (id) jump(id);
      setCursor(cursor + 1);
    },
  };
}

function findMatches(
  state: RunState,
  ids: readonly string[],
  query: string,
  targets: ReadonlyMap<string, string>,
): string[] {
  const text = query.trim().toLowerCase();
  if (text === '') return [];
  const status = /^status:(\S+)$/.exec(text)?.[1];
  return ids.filter((id) => {
    const step = state.steps[id];
    if (!step) return false;
    if (status) return step.status.startsWith(status);
    return [id, step.agent, step.status, targets.get(id) ?? ''].some((field) =>
      field.toLowerCase().includes(text),
    );
  });
}
