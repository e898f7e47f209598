/**
 * The Gantt chart's time window: the whole run until the person zooms (buttons, keys, Ctrl+wheel) or pans
 * (drag, keys, Shift+wheel or a sideways wheel); Fit brings the whole run back.
 */
import type { JSX } from 'preact';
import { useRef, useState } from 'preact/hooks';
import { labelWidth } from './gantt-geometry.js';

export interface TimeWindow {
  from: number;
  to: number;
  /** Whether the person zoomed or panned, so Fit has something to undo. */
  placed: boolean;
  /** Where a time falls on the track, in pixels from its left edge. */
  x(at: number): number;
  /** Multiplies the span shown (below 1 zooms in), keeping `around` in place. */
  zoom(factor: number, around?: number): void;
  /** Moves the window by a fraction of its span (negative goes back in time). */
  pan(fraction: number): void;
  fit(): void;
  handlers: {
    onWheel(event: JSX.TargetedWheelEvent<HTMLDivElement>): void;
    onPointerDown(event: JSX.TargetedPointerEvent<HTMLDivElement>): void;
    onPointerMove(event: JSX.TargetedPointerEvent<HTMLDivElement>): void;
    onPointerUp(): void;
  };
}

export function useTimeWindow(start: number, end: number, trackWidth: number): TimeWindow {
  const [view, setView] = useState<{ from: number; to: number } | undefined>();
  const drag = useRef<{ x: number; from: number; to: number } | undefined>(undefined);
  const from = view?.from ?? start;
  const to = view?.to ?? end;
  const zoom = (factor: number, around = (from + to) / 2) => {
    const span = Math.min(Math.max((to - from) * factor, 50), (end - start) * 4 + 1_000);
    const ratio = (around - from) / (to - from);
    setView({ from: around - span * ratio, to: around - span * ratio + span });
  };
  const pan = (fraction: number) => {
    const shift = (to - from) * fraction;
    setView({ from: from + shift, to: to + shift });
  };
  return {
    from,
    to,
    placed: view !== undefined,
    x: (at) => ((at - from) / (to - from)) * trackWidth,
    zoom,
    pan,
    fit: () => setView(undefined),
    handlers: {
      onWheel: (event) => {
        if (event.ctrlKey || event.metaKey) {
          event.preventDefault();
          const box = event.currentTarget.getBoundingClientRect();
          const at = from + ((event.clientX - box.left - labelWidth) / trackWidth) * (to - from);
          zoom(Math.exp(event.deltaY * 0.002), Math.max(from, Math.min(to, at)));
        } else if (event.shiftKey || Math.abs(event.deltaX) > Math.abs(event.deltaY)) {
          event.preventDefault();
          pan(((event.shiftKey ? event.deltaY : event.deltaX) / trackWidth) * 1);
        }
      },
      // A press on a step's name is a click that opens it, never a drag.
      onPointerDown: (event) => {
        if (event.button !== 0 || (event.target as Element).closest('.gantt-label')) return;
        drag.current = { x: event.clientX, from, to };
      },
      onPointerMove: (event) => {
        const current = drag.current;
        if (!current || event.buttons === 0) return;
        const shift = ((current.x - event.clientX) / trackWidth) * (current.to - current.from);
        if (Math.abs(current.x - event.clientX) > 3)
          setView({ from: current.from + shift, to: current.to + shift });
      },
      onPointerUp: () => {
        drag.current = undefined;
      },
    },
  };
}
