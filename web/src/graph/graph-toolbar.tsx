/** Above the graph: the step search, how many steps are shown and drawn, Fit and Expand all. */
import type { StepSearch } from './graph-search.js';

export interface GraphToolbarProps {
  search: StepSearch;
  /** Steps shown (not hidden under a collapsed step), of all the plan's. */
  shown: number;
  total: number;
  /** Steps in view, the only ones drawn. */
  drawn: number;
  /** False while ELK's layout is still being computed. */
  refined: boolean;
  /** Whether some step is collapsed, with steps hidden under it. */
  canExpandAll: boolean;
  onFit(): void;
  onExpandAll(): void;
}

export function GraphToolbar(props: GraphToolbarProps) {
  const { search, refined } = props;
  const { query, matches } = search;
  return (
    <div class="graph-tools">
      <input
        type="search"
        placeholder="Search steps (id, agent, status:failed)"
        value={query}
        onInput={(event) => search.search((event.currentTarget as HTMLInputElement).value)}
        onKeyDown={(event) => event.key === 'Enter' && search.jumpToNext()}
      />
      <span class="muted">
        {query ? `${matches.length} match${matches.length === 1 ? '' : 'es'} · Enter jumps · ` : ''}
        {`${props.shown} of ${props.total} steps shown · ${props.drawn} drawn`}
        {refined ? '' : ' · laying out…'}
      </span>
      <button type="button" onClick={props.onFit}>
        Fit
      </button>
      <button type="button" disabled={!props.canExpandAll} onClick={props.onExpandAll}>
        Expand all
      </button>
    </div>
  );
}
