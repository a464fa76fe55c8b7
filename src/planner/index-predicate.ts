/**
 * A partial UNIQUE index's WHERE as the catalog keeps it (IndexDef.predicateTree): a tree
 * over the table's columns, made from the bound WHERE at CREATE INDEX and turned back into
 * a bound expression for storage's row test (executor/index-predicate.ts) and for ON
 * CONFLICT's inference, whose WHERE must imply it.
 */
import { SqlError, SqlState } from '../errors.js';
import type { PredicateNode, TableDef } from '../catalog/catalog.js';
import type { Expr } from './plan.js';
import { T } from '../types/types.js';
import { formatText, parseText } from '../types/text-io.js';
import { immutableCall, storedCall, storedCast } from './stored-expr.js';
import { deparse } from './explain-expr.js';

const notSupported = (what: string) => new SqlError(SqlState.featureNotSupported, `${what} in partial unique index predicates are not supported yet`);

/**
 * The catalog's form of a bound partial-index WHERE over the table's columns. Functions not
 * marked IMMUTABLE are 42P17 as in PostgreSQL; expression kinds the tree cannot hold
 * (subqueries, CASE, …) 0A000.
 */
export function predicateTreeOf(e: Expr): PredicateNode {
  switch (e.kind) {
    case 'column':
      if (e.level !== 0) throw notSupported('outer references');
      return { kind: 'column', index: e.index };
    case 'const':
      return { kind: 'const', type: e.type, text: e.value === null ? null : formatText(e.type, e.value) };
    case 'cast':
      return { kind: 'cast', type: e.type, arg: predicateTreeOf(e.arg) };
    case 'call':
      if (!immutableCall(e)) throw new SqlError(SqlState.invalidObjectDefinition, 'functions in index predicate must be marked IMMUTABLE');
      return { kind: 'call', name: e.name, args: e.args.map(predicateTreeOf), argTypes: e.args.map((a) => a.type) };
    case 'and':
    case 'or':
      return { kind: e.kind, args: e.args.map(predicateTreeOf) };
    case 'not':
      return { kind: 'not', arg: predicateTreeOf(e.arg) };
    case 'isnull':
      return { kind: 'isnull', arg: predicateTreeOf(e.arg), negate: e.negate };
    case 'booltest':
      return { kind: 'booltest', arg: predicateTreeOf(e.arg), test: e.test, negate: e.negate };
    default:
      throw notSupported(`${e.kind} expressions`);
  }
}

/** The bound expression of a stored predicate over `table`'s columns. */
export function predicateExpr(n: PredicateNode, table: TableDef): Expr {
  switch (n.kind) {
    case 'column': {
      const c = table.columns[n.index];
      return { kind: 'column', type: c.type, level: 0, index: n.index, name: c.name };
    }
    case 'const': return { kind: 'const', type: n.type, value: n.text === null ? null : parseText(n.type, n.text) };
    case 'cast': return storedCast(predicateExpr(n.arg, table), n.type);
    case 'call': return storedCall(n.name, n.argTypes, n.args.map((a) => predicateExpr(a, table)));
    case 'and':
    case 'or': return { kind: n.kind, type: T.bool, args: n.args.map((a) => predicateExpr(a, table)) };
    case 'not': return { kind: 'not', type: T.bool, arg: predicateExpr(n.arg, table) };
    case 'isnull': return { kind: 'isnull', type: T.bool, arg: predicateExpr(n.arg, table), negate: n.negate };
    case 'booltest': return { kind: 'booltest', type: T.bool, arg: predicateExpr(n.arg, table), test: n.test, negate: n.negate };
  }
}

/** The table columns a stored predicate reads. */
export function predicateColumns(n: PredicateNode): number[] {
  const out = new Set<number>();
  const visit = (x: PredicateNode): void => {
    if (x.kind === 'column') out.add(x.index);
    else if ('args' in x) x.args.forEach(visit);
    else if (x.kind !== 'const') visit(x.arg);
  };
  visit(n);
  return [...out].sort((a, b) => a - b);
}

/** The same predicate with its columns at new positions (ALTER TABLE … DROP COLUMN of another column). */
export function movePredicateColumns(n: PredicateNode, to: (index: number) => number): PredicateNode {
  switch (n.kind) {
    case 'column': return { kind: 'column', index: to(n.index) };
    case 'const': return n;
    case 'call': return { ...n, args: n.args.map((a) => movePredicateColumns(a, to)) };
    case 'and':
    case 'or': return { kind: n.kind, args: n.args.map((a) => movePredicateColumns(a, to)) };
    default: return { ...n, arg: movePredicateColumns(n.arg, to) };
  }
}

/** The name of a partial key's predicate in storage (UniqueKeySpec.partial.key): the tree, which names no column. */
export function predicateStorageKey(n: PredicateNode): string {
  return JSON.stringify(n);
}

/**
 * Does `where` (an ON CONFLICT inference WHERE over the table's columns) imply the index's
 * predicate? As far as PostgreSQL's predicate_implied_by goes for the usual case: each
 * conjunct of the predicate is one of `where`'s (compared as deparsed text).
 */
export function impliesIndexPredicate(where: Expr, n: PredicateNode, table: TableDef): boolean {
  const text = (e: Expr) => deparse(e, { qualify: false, subplanNumber: () => 0 });
  const have = new Set(conjunctsOf(where).map(text));
  return conjunctsOf(predicateExpr(n, table)).every((c) => have.has(text(c)));
}

function conjunctsOf(e: Expr): Expr[] {
  return e.kind === 'and' ? e.args.flatMap(conjunctsOf) : [e];
}
