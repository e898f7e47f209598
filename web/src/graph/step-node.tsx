/** One step in the graph. Memoized on the step object, which the reducer replaces only when it changes. */
import { memo } from 'preact/compat';
import type { StepState } from '../../../src/engine/run-state.js';
import { nodeHeight, nodeWidth } from './graph-model.js';

export interface StepNodeProps {
  step: StepState;
  x: number;
  y: number;
  selected: boolean;
  matched: boolean;
  hidden: number;
  detailed: boolean;
  onSelect(id: string): void;
  onToggle(id: string): void;
}

function StepNodeView({
  step,
  x,
  y,
  selected,
  matched,
  hidden,
  detailed,
  onSelect,
  onToggle,
}: StepNodeProps) {
  const classes = ['node', `status-${step.status}`, selected && 'selected', matched && 'matched']
    .filter(Boolean)
    .join(' ');
  return (
    // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>; the search box (Enter) reaches every step by keyboard.
    <g
      class={classes}
      transform={`translate(${x},${y})`}
      data-step={step.id}
      data-status={step.status}
      role="button"
      tabIndex={-1}
      onClick={() => onSelect(step.id)}
      onKeyDown={(event) => event.key === 'Enter' && onSelect(step.id)}
    >
      <title>{`${step.id} · ${step.agent} · ${step.status}`}</title>
      <rect width={nodeWidth} height={nodeHeight} rx={6} />
      {detailed && (
        <>
          <text x={10} y={16} class="node-label">
            {clip(String(step.label), 20)}
          </text>
          <text x={10} y={30} class="node-meta">
            {`${step.agent} · ${step.status}${step.attempts > 1 ? ` · try ${step.attempts}` : ''}`}
          </text>
        </>
      )}
      {step.dependents.length > 0 && (
        // biome-ignore lint/a11y/useSemanticElements: SVG has no <button>.
        <g
          class="node-toggle"
          transform={`translate(${nodeWidth - 22},${nodeHeight / 2 - 8})`}
          role="button"
          tabIndex={-1}
          onClick={(event) => {
            event.stopPropagation();
            onToggle(step.id);
          }}
          onKeyDown={(event) => event.key === 'Enter' && onToggle(step.id)}
        >
          <title>{hidden > 0 ? `show ${hidden} hidden steps` : 'collapse the steps after this one'}</title>
          <rect width={16} height={16} rx={3} />
          <text x={8} y={12} text-anchor="middle">
            {hidden > 0 ? '+' : '−'}
          </text>
        </g>
      )}
    </g>
  );
}

function clip(text: string, length: number): string {
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

export const StepNode = memo(StepNodeView);
