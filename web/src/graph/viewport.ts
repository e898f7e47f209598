/** Pan and zoom of the graph: a transform, fitted to the content at first, moved by drag and wheel. */
import { useCallback, useRef, useState } from 'preact/hooks';

export interface Transform {
  x: number;
  y: number;
  k: number;
}

export interface Bounds {
  width: number;
  height: number;
}

export function fitTransform(content: Bounds, view: Bounds): Transform {
  const k = Math.min(
    1,
    Math.max(0.05, Math.min(view.width / (content.width + 40), view.height / (content.height + 40))),
  );
  return {
    k,
    x: (view.width - content.width * k) / 2,
    y: Math.max(10, (view.height - content.height * k) / 2),
  };
}

export function useViewport(initial: Transform) {
  const [transform, setTransform] = useState(initial);
  const drag = useRef<{ x: number; y: number; start: Transform } | undefined>(undefined);
  const onPointerDown = useCallback(
    (event: PointerEvent) => {
      if ((event.target as Element).closest('.node')) return;
      drag.current = { x: event.clientX, y: event.clientY, start: transform };
      (event.currentTarget as Element).setPointerCapture(event.pointerId);
    },
    [transform],
  );
  const onPointerMove = useCallback((event: PointerEvent) => {
    const current = drag.current;
    if (!current) return;
    setTransform({
      ...current.start,
      x: current.start.x + event.clientX - current.x,
      y: current.start.y + event.clientY - current.y,
    });
  }, []);
  const onPointerUp = useCallback(() => {
    drag.current = undefined;
  }, []);
  const onWheel = useCallback((event: WheelEvent) => {
    event.preventDefault();
    const box = (event.currentTarget as Element).getBoundingClientRect();
    const px = event.clientX - box.left;
    const py = event.clientY - box.top;
    setTransform((previous) => {
      const k = Math.min(3, Math.max(0.03, previous.k * Math.exp(-event.deltaY * 0.0015)));
      return {
        k,
        x: px - ((px - previous.x) * k) / previous.k,
        y: py - ((py - previous.y) * k) / previous.k,
      };
    });
  }, []);
  /** True while the person drags the canvas (a press on a node is a click, never a drag). */
  const dragging = useCallback(() => drag.current !== undefined, []);
  return {
    transform,
    setTransform,
    dragging,
    handlers: { onPointerDown, onPointerMove, onPointerUp, onWheel },
  };
}
