/** `pick: first`: once one candidate passed, the candidates of its step still going are to be cancelled. */
import { type RunState, settledStepStatuses } from '../run-state.js';

export function candidatesToCancel(
  state: Readonly<RunState>,
  passedId: string,
): Array<{ id: string; reason: string }> {
  const parentId = state.steps[passedId]?.candidateOf;
  const parent = parentId === undefined ? undefined : state.steps[parentId];
  if (parent?.pick !== 'first') return [];
  const reason = `candidate ${String(state.steps[passedId]?.label ?? passedId)} passed first`;
  return (parent.candidates ?? []).flatMap((id) => {
    const status = state.steps[id]?.status;
    return id === passedId || status === undefined || settledStepStatuses.has(status) ? [] : [{ id, reason }];
  });
}

/** Every step succeeded, counting a candidate that was not picked as fine when its best-of-N step succeeded. */
export function everyStepSucceeded(state: Readonly<RunState>): boolean {
  return state.order.every((id) => {
    const step = state.steps[id];
    if (step?.status === 'succeeded') return true;
    const parent = step?.candidateOf === undefined ? undefined : state.steps[step.candidateOf];
    return parent?.status === 'succeeded';
  });
}
