/**
 * The rows of the Gantt chart's scrolling body that are drawn (those in view, and a few either side), and
 * the active row that ↑/↓ move, scrolled into view.
 */
import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { rowHeight } from './gantt-geometry.js';

const overscan = 8;

export interface RowWindow {
  /** The scrolling body. */
  body: RefObject<HTMLDivElement>;
  size: { width: number; height: number };
  /** The drawn rows: from `first` up to (not including) `last`. */
  first: number;
  last: number;
  /** How many rows one page (PageUp, PageDown) moves. */
  page: number;
  active: number;
  setActive(index: number): void;
  /** Makes the row active and scrolls it into view. */
  moveTo(index: number): void;
  onScroll(event: { currentTarget: HTMLElement }): void;
}

export function useRowWindow(rowCount: number): RowWindow {
  const body = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [size, setSize] = useState({ width: 900, height: 480 });
  const [active, setActive] = useState(0);
  useEffect(() => {
    const element = body.current;
    if (!element) return undefined;
    const observer = new ResizeObserver(([entry]) => {
      if (entry) setSize({ width: entry.contentRect.width, height: entry.contentRect.height });
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, []);
  const moveTo = (index: number) => {
    const next = Math.max(0, Math.min(rowCount - 1, index));
    setActive(next);
    const element = body.current;
    if (!element) return;
    const top = next * rowHeight;
    if (top < element.scrollTop) element.scrollTop = top;
    else if (top + rowHeight > element.scrollTop + element.clientHeight)
      element.scrollTop = top + rowHeight - element.clientHeight;
  };
  return {
    body,
    size,
    first: Math.max(0, Math.floor(scrollTop / rowHeight) - overscan),
    last: Math.min(rowCount, Math.ceil((scrollTop + size.height) / rowHeight) + overscan),
    page: Math.floor(size.height / rowHeight),
    active,
    setActive,
    moveTo,
    onScroll: (event) => setScrollTop(event.currentTarget.scrollTop),
  };
}
