/** Error positions from raw parse nodes. */
import type { RawNode } from './parser.js';

/** The 1-based position of any raw node (its own location, or the first one inside it). */
export function rawPosition(node: RawNode | undefined): number | undefined {
  if (!node) return undefined;
  const inner = node[Object.keys(node)[0]];
  if (inner && typeof inner.location === 'number' && inner.location >= 0) return inner.location + 1;
  return leftmostPosition(node);
}


/** The leftmost position inside a raw node (PostgreSQL's exprLocation of an operator expression is its left operand's). */
export function leftmostPosition(node: RawNode | undefined): number | undefined {
  let best: number | undefined;
  const walk = (x: unknown): void => {
    if (!x || typeof x !== 'object') return;
    for (const [k, v] of Object.entries(x as Record<string, unknown>)) {
      if (k === 'location' && typeof v === 'number' && v >= 0) best = best === undefined ? v : Math.min(best, v);
      else walk(v);
    }
  };
  walk(node);
  return best === undefined ? undefined : best + 1;
}
