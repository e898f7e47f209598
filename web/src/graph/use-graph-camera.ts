/**
 * Where the graph's camera points. It fits the whole plan until the person places the view (a drag, the
 * wheel, a search jump); after that a new layout keeps the selected step in the middle instead. A step
 * chosen elsewhere that is out of view is brought into the middle.
 */
import type { RefObject } from 'preact';
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { nodeHeight, nodeWidth, type Positions } from './graph-model.js';
import { type Bounds, fitTransform, type Transform, useViewport } from './viewport.js';

export interface GraphCamera {
  /** The canvas element, measured for fitting. */
  container: RefObject<HTMLDivElement>;
  transform: Transform;
  /** Whether a step lies in view (or partly): only those are drawn. */
  inView(id: string): boolean;
  /** Centres the step, zoomed in to at least `minimumZoom`; false when the step has no position. */
  bringToMiddle(id: string, minimumZoom: number): boolean;
  /** Fits the whole plan, and lets the view fit again on later layouts and resizes. */
  fit(): void;
  handlers: {
    onPointerDown(event: PointerEvent): void;
    onPointerMove(event: PointerEvent): void;
    onPointerUp(): void;
    onWheel(event: WheelEvent): void;
  };
}

export function useGraphCamera(
  layoutKey: string,
  positions: Positions,
  refined: boolean,
  selected: string | undefined,
): GraphCamera {
  const container = useRef<HTMLDivElement>(null);
  const { size, measured } = useCanvasSize(container);
  const { transform, setTransform, dragging, handlers } = useViewport({ x: 20, y: 20, k: 1 });
  const content = useMemo(() => extent(positions), [positions]);
  // Set once the person has placed the view: from then on it is not fitted by itself any more.
  const moved = useRef(false);
  // Fit when the layout changes (first paint, ELK's refinement, a collapse) and once the canvas has its real
  // size; not when the step panel narrows the canvas, which would undo a search jump.
  // After the person has moved the view, a new layout keeps the selected step in the middle instead.
  useLayoutEffect(() => {
    const position = selected === undefined ? undefined : positions.get(selected);
    if (moved.current && position) setTransform(centerOn(position, transform.k, size));
    else if (!moved.current) setTransform(fitTransform(content, size));
  }, [layoutKey, refined, measured]);
  // The window or the step panel changed the canvas: fit again, unless the person placed the view.
  useEffect(() => {
    if (measured && !moved.current) setTransform(fitTransform(content, size));
  }, [size.width, size.height]);
  const bringToMiddle = (id: string, minimumZoom: number): boolean => {
    const position = positions.get(id);
    if (!position) return false;
    moved.current = true;
    setTransform(centerOn(position, Math.max(transform.k, minimumZoom), size));
    return true;
  };
  // A step chosen elsewhere (keys, timeline, search) that is out of view is brought into the middle.
  useEffect(() => {
    const position = selected === undefined ? undefined : positions.get(selected);
    if (selected !== undefined && position && !wholeInside(position, transform, size))
      bringToMiddle(selected, 0.6);
  }, [selected]);
  return {
    container,
    transform,
    inView: (id) => isDrawn(positions.get(id), transform, size),
    bringToMiddle,
    fit: () => {
      moved.current = false;
      setTransform(fitTransform(content, size));
    },
    handlers: {
      onPointerDown: handlers.onPointerDown,
      onPointerMove: (event) => {
        // Only a real drag places the view: a click on a node (which opens the panel) must let the
        // narrowed canvas fit again.
        if (dragging()) moved.current = true;
        handlers.onPointerMove(event);
      },
      onPointerUp: handlers.onPointerUp,
      onWheel: (event) => {
        moved.current = true;
        handlers.onWheel(event);
      },
    },
  };
}

/** The canvas's size, measured before the first paint: a large plan is drawn once, already fitted. */
function useCanvasSize(container: RefObject<HTMLDivElement>): { size: Bounds; measured: boolean } {
  const [size, setSize] = useState({ width: 900, height: 560 });
  const [measured, setMeasured] = useState(false);
  useLayoutEffect(() => {
    const element = container.current;
    if (!element) return undefined;
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.height > 0) {
      setSize({ width: box.width, height: box.height });
      setMeasured(true);
    }
    const observer = new ResizeObserver(([entry]) => {
      if (!entry) return;
      setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
      setMeasured(true);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  return { size, measured };
}

type Point = { x: number; y: number };

/** Whether a node at `position` shows at least partly, so it must be drawn. */
function isDrawn(position: Point | undefined, transform: Transform, size: Bounds): boolean {
  if (!position) return false;
  const left = -transform.x / transform.k - nodeWidth;
  const top = -transform.y / transform.k - nodeHeight;
  const right = (size.width - transform.x) / transform.k;
  const bottom = (size.height - transform.y) / transform.k;
  return position.x >= left && position.x <= right && position.y >= top && position.y <= bottom;
}

/** Whether a node at `position` shows whole on the canvas. */
function wholeInside(position: Point, transform: Transform, size: Bounds): boolean {
  const left = position.x * transform.k + transform.x;
  const top = position.y * transform.k + transform.y;
  return (
    left >= 0 &&
    top >= 0 &&
    left + nodeWidth * transform.k <= size.width &&
    top + nodeHeight * transform.k <= size.height
  );
}

function centerOn(position: Point, k: number, size: Bounds): Transform {
  return {
    k,
    x: size.width / 2 - (position.x + nodeWidth / 2) * k,
    y: size.height / 2 - (position.y + nodeHeight / 2) * k,
  };
}

function extent(positions: Positions): Bounds {
  let width = 0;
  let height = 0;
  for (const { x, y } of positions.values()) {
    width = Math.max(width, x + nodeWidth);
    height = Math.max(height, y + nodeHeight);
  }
  return { width, height };
}
