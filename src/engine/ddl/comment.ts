/** COMMENT ON TABLE / COLUMN / INDEX (comments on other objects are accepted and not kept). */
import { SqlError, SqlState } from '../../errors.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { mustFindTable, type DdlContext } from './context.js';

export function comment(ctx: DdlContext, stmt: Extract<BoundDdl, { kind: 'comment' }>): void {
  const target = stmt.target;
  switch (target.kind) {
    case 'table':
      mustFindTable(ctx, target.relation).comment = stmt.text;
      return;
    case 'column': {
      const t = mustFindTable(ctx, target.relation);
      const c = t.columns.find((x) => x.name === target.column);
      if (!c) throw new SqlError(SqlState.undefinedColumn, `column "${target.column}" of relation "${target.relation.name}" does not exist`);
      c.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'index': {
      const idx = ctx.catalog.findIndex(target.relation.schema, target.relation.name);
      if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${target.relation.name}" does not exist`);
      (idx as { comment?: string }).comment = stmt.text;
      return;
    }
    case 'other':
      return;
  }
}
