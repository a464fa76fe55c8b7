/**
 * A sort key's direction as transformSortClause reads it: ASC / DESC, or `USING <` / `USING >`
 * (the btree ordering operators; any other is 42809), NULLS FIRST by default when descending.
 */
import { SqlError } from '../errors.js';
import type { RawNode } from './parser.js';

export function sortDirection(sb: RawNode): { desc: boolean; nullsFirst: boolean } {
  let desc = sb.sortby_dir === 'SORTBY_DESC';
  if (sb.sortby_dir === 'SORTBY_USING') {
    const op = ((sb.useOp ?? []) as RawNode[]).map((x) => x.String?.sval as string).pop() ?? '';
    if (op !== '<' && op !== '>') {
      throw new SqlError('42809', `operator ${op} is not a valid ordering operator`, {
        ...(typeof sb.location === 'number' && sb.location >= 0 ? { position: sb.location + 1 } : {}),
        hint: 'Ordering operators must be "<" or ">" members of btree operator families.',
      });
    }
    desc = op === '>';
  }
  const nullsFirst = sb.sortby_nulls === 'SORTBY_NULLS_FIRST' || (sb.sortby_nulls === 'SORTBY_NULLS_DEFAULT' && desc);
  return { desc, nullsFirst };
}
