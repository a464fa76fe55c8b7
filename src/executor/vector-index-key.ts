/**
 * An expression vector index's key, pgvector's half-precision, binary-quantized and
 * subvector indexes:
 *
 *   CREATE INDEX ON items USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
 *   SELECT … ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize($1) LIMIT 20;
 *
 * The catalog keeps the bound expression as a tree of casts and immutable calls over the
 * indexed column (IndexKeyNode); from it come the bound expression again (planning matches
 * an ORDER BY operand that deparses the same, EXPLAIN prints it) and the function storage
 * applies to each row's column value when it builds a segment's index, as
 * text-index-scan.ts's indexVector hands storage to_tsvector for a GIN key.
 */
import { SqlError, SqlState } from '../errors.js';
import type { IndexDef, IndexExpression, IndexKeyNode, TableDef } from '../catalog/catalog.js';
import type { EvalContext, FunctionServices } from '../functions/api.js';
import { mapExpr } from '../planner/expr-walk.js';
import { deparse } from '../planner/explain-expr.js';
import type { Expr } from '../planner/plan.js';
import type { ToIndexKey, VectorIndexKey } from '../storage/api.js';
import { indexKeysInWorker } from './vector-index-key-build.js';
import { formatType, type SqlType } from '../types/types.js';
import { formatText, parseText } from '../types/text-io.js';
import { compileExpr, type ExecEnv } from './expr.js';
import { immutableCall, storedCall, storedCast } from '../planner/stored-expr.js';

/** An expression index's parts that define its key. */
export type IndexKeyDef = Pick<IndexDef, 'columns'> & { readonly expression: IndexExpression };

/** how a refusal names an expression kind */
const KIND_NAMES: Partial<Record<Expr['kind'], string>> = { sqlCall: 'SQL functions', case: 'CASE expressions', coalesce: 'COALESCE', subquery: 'subqueries', subscript: 'subscripts' };

const notSupported = (what: string) => new SqlError(SqlState.featureNotSupported, `${what} in vector index expressions are not supported yet`);

/**
 * The catalog's form of a bound index expression over `column`, with its text. Refuses
 * what the tree cannot hold (0A000): other columns, other expression kinds than casts,
 * functions, operators and constants (or functions the registry cannot find again, as a
 * session's catalog functions and SQL functions); and volatile functions (42P17, as
 * PostgreSQL).
 */
export function indexExpressionOf(e: Expr, column: number): IndexExpression {
  const tree = keyNode(e, column);
  try {
    rebuild(tree, { kind: 'column', type: columnType(e, column), level: 0, index: 0, name: '' });
  } catch {
    throw notSupported('functions other than built-in ones');
  }
  return { tree, type: e.type, name: indexKeyName(e), ...expressionText(e) };
}

const notImmutable = () => new SqlError(SqlState.invalidObjectDefinition, 'functions in index expression must be marked IMMUTABLE');

/** PostgreSQL's refusal of a key that calls a function not marked IMMUTABLE, checked before anything else of the key (42P17). */
export function checkImmutable(e: Expr): void {
  mapExpr(e, (x) => {
    if (x.kind === 'call' && !immutableCall(x)) throw notImmutable();
    return undefined;
  });
}

/** The type of `column` where `e` reads it. */
function columnType(e: Expr, column: number): SqlType {
  let type: SqlType | undefined;
  mapExpr(e, (x) => {
    if (x.kind === 'column' && x.level === 0 && x.index === column) type = x.type;
    return undefined;
  });
  if (!type) throw new Error('bug: an index expression without its column');
  return type;
}

function keyNode(e: Expr, column: number): IndexKeyNode {
  switch (e.kind) {
    case 'column':
      if (e.level !== 0 || e.index !== column) throw new SqlError(SqlState.featureNotSupported, 'vector index expressions over more than one column are not supported yet');
      return { kind: 'column' };
    case 'const':
      return { kind: 'const', type: e.type, text: e.value === null ? null : formatText(e.type, e.value) };
    case 'cast':
      return { kind: 'cast', type: e.type, arg: keyNode(e.arg, column) };
    case 'call':
      if (!immutableCall(e)) throw notImmutable();
      return { kind: 'call', name: e.name, args: e.args.map((a) => keyNode(a, column)), argTypes: e.args.map((a) => a.type) };
    default:
      throw notSupported(KIND_NAMES[e.kind] ?? `${e.kind} expressions`);
  }
}

/** The bound expression of an index's key on `table` (its indexed column read at `at`, by default its position in the table). */
export function indexKeyExpr(idx: IndexKeyDef, table: TableDef, at = idx.columns[0]): Expr {
  const c = table.columns[idx.columns[0]];
  return rebuild(idx.expression.tree, { kind: 'column', type: c.type, level: 0, index: at, name: c.name });
}

/** The bound expression of a stored tree whose column reads as `column`. */
function rebuild(n: IndexKeyNode, column: Expr): Expr {
  switch (n.kind) {
    case 'column': return column;
    case 'const': return { kind: 'const', type: n.type, value: n.text === null ? null : parseText(n.type, n.text) };
    case 'cast': return storedCast(rebuild(n.arg, column), n.type);
    case 'call': return storedCall(n.name, n.argTypes, n.args.map((a) => rebuild(a, column)));
  }
}

/** What storage computes for each row of an expression index: the key from the column's value. */
export function indexKeyFunction(idx: IndexKeyDef, table: TableDef): ToIndexKey {
  const key = compileExpr(indexKeyExpr(idx, table, 0));
  return (value) => key([value], KEY_ENV);
}

/**
 * The key's name in storage (VectorIndexSpec.expression.key): the column's position and the
 * tree, which names no column, so a renamed column keeps its indexes' keys.
 */
export function indexStorageKey(idx: IndexKeyDef): string {
  return `${idx.columns[0]}:${JSON.stringify(idx.expression.tree)}`;
}

/** The storage's entry for an expression index's key (attachVectorKeys): its function, and the same in a worker thread. */
export function vectorIndexKey(idx: IndexKeyDef, table: TableDef): VectorIndexKey {
  return { key: indexStorageKey(idx), toKey: indexKeyFunction(idx, table), computeKeys: indexKeysInWorker(idx, table.columns[idx.columns[0]].type) };
}

/** The storage's entries for a table's expression vector indexes (attachVectorKeys). */
export function vectorIndexKeys(table: TableDef): VectorIndexKey[] {
  const out = new Map<string, VectorIndexKey>();
  for (const i of table.indexes) {
    if ((i.method !== 'hnsw' && i.method !== 'ivfflat') || !i.expression) continue;
    const def = { columns: i.columns, expression: i.expression };
    const key = indexStorageKey(def);
    if (!out.has(key)) out.set(key, vectorIndexKey(def, table));
  }
  return [...out.values()];
}

/**
 * PostgreSQL's name part for an index on the expression (FigureColname): a cast names
 * what it casts, a function call its function, a column itself.
 */
function indexKeyName(e: Expr): string {
  if (e.kind === 'cast') return indexKeyName(e.arg);
  if (e.kind === 'call' && /^[a-z_]/i.test(e.name)) return e.name;
  if (e.kind === 'column') return e.name;
  return 'expr';
}

/** The expression as pg_get_indexdef prints it, plain and pretty (see IndexExpression). */
function expressionText(e: Expr): { sql: string; pretty: string } {
  const sql = deparse(e, { qualify: false, subplanNumber: () => 0 });
  const pretty = (x: Expr): string => {
    if (x.kind === 'cast' && x.arg.kind !== 'const') {
      const arg = pretty(x.arg);
      // ruleutils' pretty mode leaves out the parentheses around a simple argument
      const simple = x.arg.kind === 'column' || (x.arg.kind === 'call' && /^[a-z_]/i.test(x.arg.name));
      return `${simple ? arg : `(${arg})`}::${formatType(x.type)}`;
    }
    if (x.kind === 'call' && /^[a-z_]/i.test(x.name)) return `${x.name}(${x.args.map(pretty).join(', ')})`;
    if (x.kind === 'call' && x.args.length === 2) return `${operand(x.args[0], x.name, true)} ${x.name} ${operand(x.args[1], x.name, false)}`;
    return deparse(x, { qualify: false, subplanNumber: () => 0 });
  };
  // ruleutils' isSimpleNode: only + - * / % are ranked; a tighter operand, or an equal one on the left, needs no parentheses
  const rank = (op: string) => (op === '+' || op === '-' ? 1 : op === '*' || op === '/' || op === '%' ? 2 : 0);
  const operand = (x: Expr, op: string, left: boolean): string => {
    const text = pretty(x);
    if (x.kind !== 'call' || /^[a-z_]/i.test(x.name) || x.args.length !== 2) return text;
    const c = rank(x.name);
    const p = rank(op);
    return c !== 0 && p !== 0 && (c > p || (c === p && left)) ? text : `(${text})`;
  };
  return { sql, pretty: pretty(e) };
}

/**
 * Index keys are computed outside any session (seal, compaction, start): immutable
 * functions read nothing of one, so none of these is ever asked for.
 */
const noSession = (): never => { throw new Error('bug: an index key expression read session state'); };

const KEY_CONTEXT: EvalContext = {
  setting: () => undefined,
  statementTimestamp: 0,
  transactionTimestamp: 0,
  user: '',
  database: '',
  services: new Proxy({}, { get: () => noSession }) as FunctionServices,
};

/** what an index key or predicate is evaluated with: no session, no parameters */
export const KEY_ENV: ExecEnv = { params: [], outer: [], ctx: KEY_CONTEXT, runPlan: noSession, checkCancel: () => {} };
