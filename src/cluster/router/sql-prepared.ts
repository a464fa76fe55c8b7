/**
 * SQL PREPARE / EXECUTE / DEALLOCATE of statements over sharded tables (README "Cluster
 * mode", shard router). PREPARE runs on shard 0 as sent (it checks the statement, the name
 * and the parameter types as one server would, and pg_prepared_statements there lists it),
 * and the router keeps the statement's text and parameter types under its name. EXECUTE
 * evaluates its arguments on shard 0 (cast to the parameter types: one round trip) and runs
 * the kept statement like a client's Parse/Bind of it, its arguments as parameters: pinned by
 * key to one shard, fanned out, INSERT rows to their keys' shards, …
 */
import * as pgQuery from 'libpg-query';
import { SqlError } from '../../errors.js';
import type { FieldInfo } from '../../wire/backend.js';

/** One statement SQL PREPARE made over sharded tables. */
export interface SqlPrepared {
  /** the statement after AS, with its $n */
  readonly sql: string;
  readonly paramTypes: readonly number[];
  readonly fields: readonly FieldInfo[] | null;
}

/** The session's SQL-prepared statements over sharded tables, by name. */
export class SqlPreparedStatements {
  private readonly byName = new Map<string, SqlPrepared>();

  get(name: string): SqlPrepared | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  add(name: string, statement: SqlPrepared): void {
    if (this.byName.has(name)) throw duplicatePrepared(name);
    this.byName.set(name, statement);
  }

  /** DEALLOCATE name (null: ALL), and DISCARD ALL */
  remove(name: string | null): void {
    if (name === null) this.byName.clear();
    else this.byName.delete(name);
  }
}

export function duplicatePrepared(name: string): SqlError {
  return new SqlError('42P05', `prepared statement "${name}" already exists`);
}

/** PostgreSQL's EvaluateParams check (42601, as it answers). */
export function checkArgumentCount(name: string, expected: number, got: number): void {
  if (expected !== got) {
    throw new SqlError('42601', `wrong number of parameters for prepared statement "${name}"`, { detail: `Expected ${expected} parameters but got ${got}.` });
  }
}

/**
 * The query shard 0 evaluates EXECUTE's arguments with: each cast to its parameter's type
 * (PostgreSQL applies an assignment cast; the explicit one agrees on the usual cases).
 */
export function argumentsQuery(args: readonly string[], types: readonly string[]): string {
  return `SELECT ${args.map((a, i) => `(${a})::${types[i]}`).join(', ')}`;
}

/** The parameter type OIDs of `name` as shard 0 prepared it (its own view: pg_prepared_statements). */
export const PARAMETER_TYPES_QUERY = 'SELECT pg_catalog.array_to_string(parameter_types::oid[], \',\') FROM pg_catalog.pg_prepared_statements WHERE name = $1';

interface Token { start: number; end: number; text: string; keywordName: string }

function tokens(sql: string): Token[] {
  return (pgQuery.scanSync(sql) as unknown as { tokens: Token[] }).tokens;
}

/**
 * The text after the first `keyword` token (a reserved word such as AS or FOR, so not part of
 * a name before it): PREPARE's statement, DECLARE's query. Undefined when it has none.
 */
export function textAfterKeyword(sql: string, keyword: string): string | undefined {
  const t = tokens(sql).find((k) => k.keywordName === 'RESERVED_KEYWORD' && k.text.toUpperCase() === keyword);
  return t ? sql.slice(t.end).trim().replace(/;\s*$/, '') : undefined;
}

/** The texts of EXECUTE name(arg, …)'s arguments, split at the list's own commas. */
export function executeArguments(sql: string): string[] {
  const all = tokens(sql);
  const open = all.findIndex((t) => t.text === '(');
  if (open < 0) return [];
  const args: string[] = [];
  let depth = 0;
  let from = all[open]!.end;
  for (let i = open + 1; i < all.length; i++) {
    const t = all[i]!;
    if (t.text === '(' || t.text === '[') depth++;
    else if ((t.text === ')' || t.text === ']') && depth > 0) depth--;
    else if (t.text === ')' || (t.text === ',' && depth === 0)) {
      args.push(sql.slice(from, t.start).trim());
      from = t.end;
      if (t.text === ')') break;
    }
  }
  return args;
}
