/** COMMENT ON TABLE / [MATERIALIZED] VIEW / COLUMN / INDEX / SEQUENCE / CONSTRAINT / FUNCTION / SCHEMA (comments on other objects are accepted and not kept). */
import { findEnum } from './enum-type.js';
import { findDomainDef } from './domain.js';
import { SqlError, SqlState } from '../../errors.js';
import type { BoundDdl } from '../../sql/ddl/index.js';
import { findSequence, mustFindTable, findIndex, type DdlContext } from './context.js';
import { resolveFunction } from './function.js';
import { checkRelationKind } from './relation-kind.js';

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
      const idx = findIndex(ctx, target.relation);
      if (!idx) throw new SqlError(SqlState.undefinedTable, `relation "${target.relation.name}" does not exist`);
      (idx as { comment?: string }).comment = stmt.text;
      return;
    }
    case 'view': case 'matview': {
      const v = mustFindTable(ctx, target.relation);
      checkRelationKind(target.kind, v);
      v.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'sequence': {
      const r = target.relation;
      const seq = findSequence(ctx, r);
      if (!seq) throw new SqlError(SqlState.undefinedTable, `relation "${r.name}" does not exist`);
      seq.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'constraint': {
      const t = mustFindTable(ctx, target.relation);
      const con = t.constraints.find((c) => c.name === target.name);
      if (!con) throw new SqlError(SqlState.undefinedObject, `constraint "${target.name}" for table "${t.name}" does not exist`);
      con.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'function': {
      const f = resolveFunction(ctx, target.ref, false)!;
      f.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'schema': {
      const n = ctx.catalog.schemas.get(target.name);
      if (!n) {
        if (ctx.catalog.schemaExists(target.name)) return; // the built-in schemas keep their own comments
        throw new SqlError('3F000', `schema "${target.name}" does not exist`);
      }
      n.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'type': {
      const def = findEnum(ctx, target.type) ?? findDomainDef(ctx, target.type);
      if (!def) return;
      def.comment = stmt.text;
      ctx.catalog.version++;
      return;
    }
    case 'other':
      return;
  }
}
