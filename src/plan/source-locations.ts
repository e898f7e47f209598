/** Maps JSON paths in a plan file back to `line:column`, so errors point at the text the user wrote. */
import { isNode, LineCounter, parseDocument } from 'yaml';
import type { PathSegment } from './plan-problem.js';

/** Locating re-parses the file with positions; past this size the path alone has to do. */
const maxLocatableChars = 4 * 1024 * 1024;

export type Locate = (path: readonly PathSegment[]) => string | undefined;

export function createLocator(text: string): Locate {
  if (text.length > maxLocatableChars) return () => undefined;
  const lineCounter = new LineCounter();
  const document = parseDocument(text, { lineCounter, uniqueKeys: false, strict: false });
  return (path) => {
    for (let length = path.length; length >= 0; length--) {
      const node = document.getIn(path.slice(0, length), true);
      if (isNode(node) && node.range) {
        const position = lineCounter.linePos(node.range[0]);
        return `${position.line}:${position.col}`;
      }
    }
    return undefined;
  };
}
