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
  /** Elapsed time (and cost when known), e.g. `1 min 5 s · $0.02`. */
  metrics: string;
  /** Relation to the selected step: its dependencies, its dependents, or neither (dimmed). */
  relation: 'upstream' | 'downstream' | 'dimmed' | undefined;
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
  metrics,
  relation,
  onSelect,
  onToggle,
}: StepNodeProps) {
  const classes = [
    'node',
    `status-${step.status}`,
    selected && 'selected',
    matched && 'matched',
    relation,
    relation && relation !== 'dimmed' && 'related',
  ]
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
      <title>{`${step.id} · ${step.agent} · ${step.status}${metrics ? ` · ${metrics}` : ''}`}</title>
      <rect width={nodeWidth} height={nodeHeight} rx={8} />
      {detailed && (
        <>
          <text x={12} y={18} class="node-label">
            {clip(String(step.label), 22)}
          </text>
          <text x={12} y={32} class="node-meta">
            {`${clip(step.agent, 12)} · ${step.status.replace('_', ' ')}${step.attempts > 1 ? ` · try ${step.attempts}` : ''}`}
          </text>
          {metrics && (
            <text x={12} y={45} class="node-meta node-metrics">
              {metrics}
            </text>
          )}
        </>
      )}
      {detailed && step.dependents.length > 0 && (
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
