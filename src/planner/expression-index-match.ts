/**
 * Which B-tree or hash expression index of a table has an expression as its key:
 *
 *   CREATE INDEX ON users (lower(email));
 *   SELECT … FROM users WHERE lower(email) = 'a@x.com'      -- the index's key, by its text
 *
 * An expression is the key when it reads the same one column and deparses to the same text
 * as the index's expression (IndexExpression.sql), as choose-vector-index matches a
 * vector index's key.
 */
import { keyHoldsEveryRow, type IndexDef, type TableDef } from '../catalog/catalog.js';
import { mapExpr } from './expr-walk.js';
import { deparse } from './explain-expr.js';
import type { Expr, Plan } from './plan.js';

/** Whether a scan's index range reads an expression index (in its key's order: no Index Cond, no column order). */
export function rangeOnExpression(scan: Extract<Plan, { kind: 'scan' }>): boolean {
  return !!scan.indexRange && !!scan.table.indexes.find((i) => i.name === scan.indexRange!.keyName)?.expression;
}

/** The key-stored (btree / hash) expression indexes of a table, unique ones first. */
export function expressionKeyIndexes(table: TableDef): IndexDef[] {
  return table.indexes.filter((i) => i.expression && (i.method === 'btree' || i.method === 'hash') && keyHoldsEveryRow(i)).sort((a, b) => Number(b.unique) - Number(a.unique));
}

/** The expression index (btree or hash) whose key `e` is (a call or cast over one column of the scanned table). */
export function expressionKeyIndex(table: TableDef, e: Expr): IndexDef | undefined {
  if (e.kind !== 'call' && e.kind !== 'cast') return undefined;
  const indexes = expressionKeyIndexes(table);
  if (indexes.length === 0) return undefined;
  const columns = new Set<number>();
  mapExpr(e, (x) => {
    if (x.kind === 'column') columns.add(x.level === 0 ? x.index : -1);
    return undefined;
  });
  if (columns.size !== 1) return undefined;
  const [column] = columns;
  const text = deparse(e, { qualify: false, subplanNumber: () => 0 });
  return indexes.find((i) => i.columns[0] === column && i.expression!.sql === text);
}
