/**
 * WITH RECURSIVE … SEARCH / CYCLE, rewritten into the query as PostgreSQL's
 * rewriteSearchAndCycle does, on the parse tree before binding:
 *
 *   SEARCH DEPTH FIRST BY a, b SET seq   — non-recursive term: ARRAY[ROW(a, b)] AS seq;
 *                                          recursive term: wt.seq || ARRAY[ROW(a, b)]
 *   SEARCH BREADTH FIRST BY a SET seq    — ROW(0::int8, a) / ROW((wt.seq).f1 + 1, a)
 *   CYCLE a SET mark [TO v DEFAULT d] USING path
 *                                        — d AS mark, ARRAY[ROW(a)] AS path;
 *                                          CASE WHEN ROW(a) = ANY (wt.path) THEN v ELSE d END,
 *                                          wt.path || ARRAY[ROW(a)], and WHERE wt.mark <> v
 *
 * `a` in the recursive term is that term's own output expression for the column; `wt` is
 * the term's reference to the query itself. Arrays of records are one-dimensional here
 * (types/records.ts), so `ORDER BY seq` sorts as PostgreSQL's record_cmp does.
 */
import { SqlError, SqlState } from '../errors.js';

// eslint-disable-next-line @typescript-eslint/no-explicit-any
type RawNode = any;

const str = (sval: string): RawNode => ({ String: { sval } });
const colRef = (...names: string[]): RawNode => ({ ColumnRef: { fields: names.map(str) } });
const row = (args: RawNode[]): RawNode => ({ RowExpr: { args, row_format: 'COERCE_EXPLICIT_CALL' } });
const arrayOf = (e: RawNode): RawNode => ({ A_ArrayExpr: { elements: [e] } });
const op = (name: string, l: RawNode, r: RawNode, kind = 'AEXPR_OP'): RawNode => ({ A_Expr: { kind, name: [str(name)], lexpr: l, rexpr: r } });
const target = (name: string, val: RawNode): RawNode => ({ ResTarget: { name, val } });

/** The output column names of a SELECT's target list (as figureColname would name simple references). */
function outputNames(select: RawNode): string[] {
  return ((select.targetList ?? []) as RawNode[]).map((t) => {
    const rt = t.ResTarget;
    if (rt.name) return rt.name as string;
    const fields = rt.val?.ColumnRef?.fields as RawNode[] | undefined;
    return (fields?.[fields.length - 1]?.String?.sval as string | undefined) ?? '?column?';
  });
}

/** The name (alias or relation name) of the recursive term's reference to the query itself. */
function selfReference(from: readonly RawNode[] | undefined, cte: string): string | undefined {
  for (const item of from ?? []) {
    if (item.RangeVar && !item.RangeVar.schemaname && item.RangeVar.relname === cte) return (item.RangeVar.alias?.aliasname as string | undefined) ?? cte;
    if (item.JoinExpr) {
      const found = selfReference([item.JoinExpr.larg, item.JoinExpr.rarg], cte);
      if (found) return found;
    }
  }
  return undefined;
}

/**
 * The CommonTableExpr with its SEARCH / CYCLE clauses written into its query (a new tree;
 * the original is left as it was); 0A000 for a form the rewrite does not cover.
 */
export function rewriteSearchAndCycle(cte: RawNode): RawNode {
  const search = cte.search_clause;
  const cycle = cte.cycle_clause;
  const q = cte.ctequery?.SelectStmt;
  const notCovered = (): SqlError => new SqlError(SqlState.featureNotSupported, `${search ? 'SEARCH' : 'CYCLE'} clauses of WITH queries are supported over a plain non-recursive term UNION [ALL] recursive term only`);
  if (!q || q.op !== 'SETOP_UNION' || !q.larg?.targetList || !q.rarg?.targetList || q.larg.op !== 'SETOP_NONE' || q.rarg.op !== 'SETOP_NONE') throw notCovered();
  const nonRec = structuredClone(q.larg);
  const rec = structuredClone(q.rarg);
  const aliases = ((cte.aliascolnames ?? []) as RawNode[]).map((a) => a.String.sval as string);
  const columns = aliases.length > 0 ? aliases : outputNames(nonRec);
  const wt = selfReference(rec.fromClause, cte.ctename);
  if (!wt) throw notCovered();
  const recOutputs = (rec.targetList as RawNode[]).map((t) => t.ResTarget.val);
  const columnIndex = (name: string, clause: string): number => {
    const i = columns.indexOf(name);
    if (i < 0) throw new SqlError(SqlState.undefinedColumn, `${clause} column "${name}" not in WITH query column list`, { position: (search ?? cycle).location + 1 });
    return i;
  };
  const added: string[] = [];
  if (search) {
    const idx = ((search.search_col_list ?? []) as RawNode[]).map((c) => columnIndex(c.String.sval, 'search'));
    const seq = search.search_seq_column as string;
    if (columns.includes(seq)) throw new SqlError(SqlState.syntaxError, `search sequence column name "${seq}" already used in WITH query column list`, { position: search.location + 1 });
    const recCols = idx.map((i) => structuredClone(recOutputs[i]));
    if (search.search_breadth_first) {
      const zero = { TypeCast: { arg: { A_Const: { ival: { ival: 0 } } }, typeName: { names: [str('pg_catalog'), str('int8')], typemod: -1 } } };
      nonRec.targetList.push(target(seq, row([zero, ...idx.map((i) => structuredClone(nonRec.targetList[i].ResTarget.val))])));
      rec.targetList.push(target(seq, row([op('+', { A_Indirection: { arg: colRef(wt, seq), indirection: [str('f1')] } }, { A_Const: { ival: { ival: 1 } } }), ...recCols])));
    } else {
      nonRec.targetList.push(target(seq, arrayOf(row(idx.map((i) => structuredClone(nonRec.targetList[i].ResTarget.val))))));
      rec.targetList.push(target(seq, op('||', colRef(wt, seq), arrayOf(row(recCols)))));
    }
    added.push(seq);
  }
  if (cycle) {
    const idx = ((cycle.cycle_col_list ?? []) as RawNode[]).map((c) => columnIndex(c.String.sval, 'cycle'));
    const mark = cycle.cycle_mark_column as string;
    const path = cycle.cycle_path_column as string;
    for (const name of [mark, path]) {
      if (columns.includes(name) || added.includes(name)) throw new SqlError(SqlState.syntaxError, `cycle ${name === mark ? 'mark' : 'path'} column name "${name}" already used in WITH query column list`, { position: cycle.location + 1 });
    }
    if (mark === path) throw new SqlError(SqlState.syntaxError, 'cycle mark column name and cycle path column name are the same', { position: cycle.location + 1 });
    const value = cycle.cycle_mark_value ?? { A_Const: { boolval: { boolval: true } } };
    const otherwise = cycle.cycle_mark_default ?? { A_Const: { boolval: {} } };
    nonRec.targetList.push(target(mark, structuredClone(otherwise)));
    nonRec.targetList.push(target(path, arrayOf(row(idx.map((i) => structuredClone(nonRec.targetList[i].ResTarget.val))))));
    const recRow = (): RawNode => row(idx.map((i) => structuredClone(recOutputs[i])));
    const isCycle = { CaseExpr: { args: [{ CaseWhen: { expr: op('=', recRow(), colRef(wt, path), 'AEXPR_OP_ANY'), result: structuredClone(value) } }], defresult: structuredClone(otherwise) } };
    rec.targetList.push(target(mark, isCycle));
    rec.targetList.push(target(path, op('||', colRef(wt, path), arrayOf(recRow()))));
    const notCycled = op('<>', colRef(wt, mark), structuredClone(value));
    rec.whereClause = rec.whereClause ? { BoolExpr: { boolop: 'AND_EXPR', args: [rec.whereClause, notCycled] } } : notCycled;
    added.push(mark, path);
  }
  const rewritten = { ...cte, search_clause: undefined, cycle_clause: undefined, ctequery: { SelectStmt: { ...q, larg: nonRec, rarg: rec } } };
  if (aliases.length > 0) rewritten.aliascolnames = [...cte.aliascolnames, ...added.map(str)];
  return rewritten;
}
