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
import type { EvalContext, FunctionServices, ScalarFunction } from '../functions/api.js';
import { resolveCast, resolveFunction } from '../functions/index.js';
import { deparse } from '../planner/explain-expr.js';
import type { Expr } from '../planner/plan.js';
import type { ToIndexKey } from '../storage/api.js';
import { formatType } from '../types/types.js';
import { compileExpr, type ExecEnv } from './expr.js';

/** An expression index's parts that define its key. */
export type IndexKeyDef = Pick<IndexDef, 'columns'> & { readonly expression: IndexExpression };

const notSupported = (what: string) => new SqlError(SqlState.featureNotSupported, `${what} in vector index expressions are not supported yet`);

/**
 * The catalog's form of a bound index expression over `column`, with its text. Refuses
 * what the tree cannot hold (0A000): other columns, operators and other expression
 * kinds, constants that are not numbers, strings or booleans; and volatile functions (42P17,
 * as PostgreSQL).
 */
export function indexExpressionOf(e: Expr, column: number): IndexExpression {
  return { tree: keyNode(e, column), type: e.type, name: indexKeyName(e), ...expressionText(e) };
}

function keyNode(e: Expr, column: number): IndexKeyNode {
  switch (e.kind) {
    case 'column':
      if (e.level !== 0 || e.index !== column) throw new SqlError(SqlState.featureNotSupported, 'vector index expressions over more than one column are not supported yet');
      return { kind: 'column' };
    case 'const':
      if (typeof e.value !== 'number' && typeof e.value !== 'string' && typeof e.value !== 'boolean') throw notSupported(`constants of type ${formatType(e.type)}`);
      return { kind: 'const', type: e.type, value: e.value };
    case 'cast':
      return { kind: 'cast', type: e.type, arg: keyNode(e.arg, column) };
    case 'call':
      if (!/^[a-z_]/i.test(e.name)) throw notSupported('operators');
      if (e.fn.volatile) throw new SqlError(SqlState.invalidObjectDefinition, 'functions in index expression must be marked IMMUTABLE');
      return { kind: 'call', name: e.name, args: e.args.map((a) => keyNode(a, column)), argTypes: e.args.map((a) => a.type) };
    default:
      throw notSupported(`${e.kind} expressions`);
  }
}

/** The bound expression of an index's key on `table` (its indexed column read at `at`, by default its position in the table). */
export function indexKeyExpr(idx: IndexKeyDef, table: TableDef, at = idx.columns[0]): Expr {
  const c = table.columns[idx.columns[0]];
  const build = (n: IndexKeyNode): Expr => {
    switch (n.kind) {
      case 'column': return { kind: 'column', type: c.type, level: 0, index: at, name: c.name };
      case 'const': return { kind: 'const', type: n.type, value: n.value };
      case 'cast': {
        const arg = build(n.arg);
        const fn = resolveCast(arg.type, n.type, 'explicit');
        if (!fn) throw new Error(`bug: no cast from ${formatType(arg.type)} to ${formatType(n.type)} for an index key`);
        return { kind: 'cast', type: n.type, arg, fn };
      }
      case 'call': {
        const fn = resolveFunction(n.name, n.argTypes) as ScalarFunction;
        return { kind: 'call', type: fn.returnType, name: n.name, fn, args: n.args.map(build) };
      }
    }
  };
  return build(idx.expression.tree);
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

/** The storage's entries for a table's expression vector indexes (attachVectorKeys). */
export function vectorIndexKeys(table: TableDef): { key: string; toKey: ToIndexKey }[] {
  const out = new Map<string, ToIndexKey>();
  for (const i of table.indexes) {
    if ((i.method !== 'hnsw' && i.method !== 'ivfflat') || !i.expression) continue;
    const def = { columns: i.columns, expression: i.expression };
    const key = indexStorageKey(def);
    if (!out.has(key)) out.set(key, indexKeyFunction(def, table));
  }
  return [...out].map(([key, toKey]) => ({ key, toKey }));
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
    return deparse(x, { qualify: false, subplanNumber: () => 0 });
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

const KEY_ENV: ExecEnv = { params: [], outer: [], ctx: KEY_CONTEXT, runPlan: noSession, checkCancel: () => {} };
