/**
 * Which SELECTs over sharded tables the fan-out can run, and what it learns of their tables:
 * one sharded table, or several joined on their full distribution keys (co-located: each
 * shard joins its own rows). Every other shape is 0A000 with a message naming it.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { ShardedTable } from './fanout-api.js';
import { findNode, kindOf, strings, walk, type RawNode } from './fanout-nodes.js';

export type TableOf = (schema: string | undefined, name: string) => ShardedTable | undefined;

interface TableRef { readonly alias: string; readonly table: ShardedTable }

export interface SelectShape {
  readonly tables: readonly TableRef[];
  /** do these expressions include every distribution-key column (so equal values share a shard)? */
  coversKey(exprs: readonly unknown[]): boolean;
}

export function unsupported(what: string, verb: 'is' | 'are' = 'are'): SqlError {
  return new SqlError(SqlState.featureNotSupported, `${what} over sharded tables ${verb} not supported yet`);
}

function readsSharded(node: unknown, tableOf: TableOf): boolean {
  return findNode(node, (kind, body) => kind === 'RangeVar' && tableOf(body.schemaname, body.relname) !== undefined) !== undefined;
}

/** the conjuncts of an AND tree */
function conjuncts(node: unknown): unknown[] {
  const k = kindOf(node);
  if (k?.[0] === 'BoolExpr' && k[1].boolop === 'AND_EXPR') return (k[1].args as unknown[]).flatMap(conjuncts);
  return node ? [node] : [];
}

class ColumnClasses {
  private readonly parent = new Map<string, string>();
  find(x: string): string {
    let p = this.parent.get(x) ?? x;
    if (p !== x) { p = this.find(p); this.parent.set(x, p); }
    return p;
  }
  union(a: string, b: string): void {
    const ra = this.find(a), rb = this.find(b);
    if (ra !== rb) this.parent.set(ra, rb);
  }
}

export function checkShape(stmt: RawNode, tableOf: TableOf): SelectShape | SqlError {
  if (stmt.op && stmt.op !== 'SETOP_NONE') return unsupported('set operations (UNION, INTERSECT, EXCEPT)');
  if (stmt.withClause) return unsupported('WITH queries');
  if (stmt.lockingClause?.length) return unsupported('SELECT FOR UPDATE/SHARE', 'is');
  if (stmt.intoClause) return unsupported('SELECT INTO', 'is');
  if (stmt.valuesLists?.length) return unsupported('VALUES lists');
  if (stmt.windowClause?.length || findNode(stmt, (kind, b) => kind === 'FuncCall' && b.over !== undefined)) {
    return unsupported('window functions');
  }
  if (findNode(stmt.groupClause, (kind) => kind === 'GroupingSet')) return unsupported('GROUPING SETS, ROLLUP and CUBE');
  if (stmt.limitOption === 'LIMIT_OPTION_WITH_TIES') return unsupported('FETCH FIRST … WITH TIES', 'is');

  const tables: TableRef[] = [];
  const joins: RawNode[] = [];
  let subquery = false;
  const visitFrom = (item: unknown): void => {
    const k = kindOf(item);
    if (!k) return;
    const [kind, body] = k;
    if (kind === 'RangeVar') {
      const table = tableOf(body.schemaname, body.relname);
      if (table) tables.push({ alias: body.alias?.aliasname ?? body.relname, table });
    } else if (kind === 'JoinExpr') {
      joins.push(body);
      visitFrom(body.larg);
      visitFrom(body.rarg);
    } else if (kind === 'RangeSubselect' || kind === 'RangeFunction' || kind === 'RangeTableFunc') {
      if (readsSharded(body, tableOf)) subquery = true;
    } else if (readsSharded(body, tableOf)) {
      subquery = true;
    }
  };
  for (const item of stmt.fromClause ?? []) visitFrom(item);
  walk([stmt.targetList, stmt.whereClause, stmt.havingClause, stmt.sortClause, stmt.groupClause, stmt.limitCount, stmt.limitOffset, joins.map((j) => j.quals)], (kind, body) => {
    if (kind === 'SubLink' && readsSharded(body.subselect, tableOf)) subquery = true;
    return !subquery;
  });
  if (subquery) return unsupported('subqueries');

  const classes = new ColumnClasses();
  const columnId = (ref: unknown): string | undefined => {
    const k = kindOf(ref);
    if (k?.[0] !== 'ColumnRef') return undefined;
    const f = strings(k[1].fields);
    if (f.includes('*')) return undefined;
    if (f.length === 1) {
      const owners = tables.filter((t) => t.table.keyColumns.includes(f[0]));
      return owners.length === 1 ? `${owners[0].alias}.${f[0]}` : undefined;
    }
    return `${f[f.length - 2]}.${f[f.length - 1]}`;
  };
  const equate = (cond: unknown): void => {
    for (const c of conjuncts(cond)) {
      const k = kindOf(c);
      if (k?.[0] !== 'A_Expr' || k[1].kind !== 'AEXPR_OP' || strings(k[1].name).join('.') !== '=') continue;
      const l = columnId(k[1].lexpr), r = columnId(k[1].rexpr);
      if (l && r) classes.union(l, r);
    }
  };
  for (const j of joins) {
    equate(j.quals);
    for (const name of strings(j.usingClause)) {
      const owners = tables.filter((t) => t.table.keyColumns.includes(name));
      for (const t of owners.slice(1)) classes.union(`${owners[0].alias}.${name}`, `${t.alias}.${name}`);
    }
  }
  if (tables.length > 1) {
    equate(stmt.whereClause);
    const [first, ...rest] = tables;
    const keyOf = (t: TableRef, i: number) => classes.find(`${t.alias}.${t.table.keyColumns[i]}`);
    const colocated = first.table.keyColumns.length > 0 && rest.every((t) =>
      t.table.keyColumns.length === first.table.keyColumns.length &&
      first.table.keyColumns.every((_, i) => keyOf(first, i) === keyOf(t, i)));
    if (!colocated) return new SqlError(SqlState.featureNotSupported, 'joins of sharded tables not on their distribution keys are not supported yet');
    // int4 5 and int8 5 hash apart: equal keys of different types are on different shards
    const typesOf = (t: TableRef) => t.table.keyTypes?.map((k) => k.oid).join(',');
    if (rest.some((t) => typesOf(t) !== undefined && typesOf(first) !== undefined && typesOf(t) !== typesOf(first))) {
      return new SqlError(SqlState.featureNotSupported, 'joins of sharded tables on distribution keys of different types are not supported yet');
    }
  }

  return {
    tables,
    coversKey(exprs) {
      if (tables.length === 0) return false;
      const t = tables[0];
      if (t.table.keyColumns.length === 0) return false;
      const have = new Set(exprs.map(columnId).filter((x): x is string => x !== undefined).map((x) => classes.find(x)));
      return t.table.keyColumns.every((c) => have.has(classes.find(`${t.alias}.${c}`)));
    },
  };
}
