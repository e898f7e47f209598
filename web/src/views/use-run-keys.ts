/** Keyboard navigation of a run's page. */
import { useEffect } from 'preact/hooks';
import type { RunState } from '../../../src/engine/run-state.js';

/** The run page's two views of the plan. */
export type RunTab = 'graph' | 'timeline';

/**
 * The run's keys, for people who do not use a mouse: `/` search, `j`/`k` next and previous step in plan
 * order, `[`/`]` the selected step's first dependency or dependent, `Esc` close the step, `g`/`t` the
 * graph or the timeline. Ignored while typing in a field.
 */
export function useRunKeys(
  state: RunState | undefined,
  selected: string | undefined,
  select: (id: string | undefined) => void,
  setTab: (tab: RunTab) => void,
): void {
  useEffect(() => {
    if (!state) return undefined;
    const onKey = (event: KeyboardEvent) => {
      const target = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (target instanceof HTMLElement && target.closest('input, textarea, select, [contenteditable]')) {
        if (event.key === 'Escape' && target instanceof HTMLInputElement) target.blur();
        return;
      }
      const order = state.order;
      const index = selected === undefined ? -1 : order.indexOf(selected);
      const step = selected === undefined ? undefined : state.steps[selected];
      const actions: Record<string, () => void> = {
        '/': () => document.querySelector<HTMLInputElement>('input[type="search"]')?.focus(),
        j: () => select(order[Math.min(order.length - 1, index + 1)]),
        k: () => select(order[Math.max(0, index - 1)]),
        '[': () => step?.needs[0] !== undefined && select(step.needs[0]),
        ']': () => step?.dependents[0] !== undefined && select(step.dependents[0]),
        Escape: () => select(undefined),
        g: () => setTab('graph'),
        t: () => setTab('timeline'),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    document.addEventListener('keydown', onKey);
    return () => document.removeEventListener('keydown', onKey);
  }, [state, selected]);
}
