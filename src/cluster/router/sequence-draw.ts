/**
 * Values drawn from sequences in a sharded cluster. Every shard holds every sequence (DDL runs
 * on all of them) but only shard 0's hands out numbers: nextval on another shard would repeat
 * shard 0's values. So the router evaluates sequence DEFAULTs (serial, identity) and nextval
 * calls on shard 0, all of a statement's (or a COPY batch's) in one round trip, and writes the
 * values into the rows it sends on.
 */
import { parseText } from '../../types/text-io.js';
import { formatTypeWithTypmod, type SqlType, type Value } from '../../types/types.js';
import type { ShardConnection } from './shard-connection.js';
import type { TextSettings } from './shard-values.js';

type N = Record<string, any>;

/** Functions that read or move a sequence: evaluated on shard 0 only. */
const SEQUENCE_FUNCTIONS = new Set(['nextval', 'setval', 'currval', 'lastval']);

/** Whether a DEFAULT expression (pg_get_expr's text) draws from a sequence. */
export function drawsFromSequence(expr: string | undefined): boolean {
  return expr !== undefined && /\bnextval\s*\(/i.test(expr);
}

/** Whether a parse tree calls nextval / setval / currval / lastval. */
export function callsSequenceFunction(tree: unknown): boolean {
  if (Array.isArray(tree)) return tree.some(callsSequenceFunction);
  if (!tree || typeof tree !== 'object') return false;
  const names = ((tree as N).FuncCall?.funcname as N[] | undefined)?.map((n) => n.String?.sval as string);
  if (names && SEQUENCE_FUNCTIONS.has(names[names.length - 1]!) && (names.length === 1 || names[0] === 'pg_catalog')) return true;
  return Object.values(tree).some(callsSequenceFunction);
}

export interface DrawnExpression {
  readonly expr: string;
  readonly type: SqlType;
}

/**
 * The query drawing `exprs` in order: one VALUES row each (its text), so any number of
 * them fit one statement (a select list stops at 1,664 columns in PostgreSQL) and each is
 * evaluated once, in order.
 */
export function drawQuery(exprs: readonly DrawnExpression[]): string {
  const rows = exprs.map((e) => `(((${e.expr})::${formatTypeWithTypmod(e.type)})::text)`);
  return `SELECT v.x FROM (VALUES ${rows.join(', ')}) AS v(x)`;
}

/** The values of drawQuery's reply, in the types asked for. */
export function drawnValues(exprs: readonly DrawnExpression[], rows: readonly (readonly (string | null)[])[], settings: TextSettings): Value[] {
  return exprs.map((e, i) => {
    const text = rows[i]?.[0] ?? null;
    return text === null ? null : parseText(e.type, text, settings);
  });
}

/**
 * The same expressions drawn for each of `count` rows (INSERT … SELECT, a COPY batch), in one
 * round trip: one result row per row, evaluated row after row.
 */
export async function drawRows(shard0: ShardConnection, exprs: readonly DrawnExpression[], count: number, settings: TextSettings): Promise<Value[][]> {
  if (exprs.length === 0 || count === 0) return [];
  const list = exprs.map((e) => `(${e.expr})::${formatTypeWithTypmod(e.type)}`).join(', ');
  const reply = await shard0.simple(`SELECT ${list} FROM pg_catalog.generate_series(1, ${count})`);
  return reply.rows.map((r) => exprs.map((e, i) => (r[i] === null || r[i] === undefined ? null : parseText(e.type, r[i]!, settings))));
}
