/**
 * CREATE TABLE … AS SELECT and SELECT … INTO (README "Cluster mode", shard router): the table
 * is created on every shard as `CREATE TABLE … AS <query> WITH NO DATA` (each shard derives
 * the same columns from the query), then filled by the INSERT … SELECT path: the query runs
 * where the router would run it alone, and its rows are dealt round robin over the shards —
 * PostgreSQL's CREATE TABLE AS makes no primary key, so the new table has no key to place
 * them by. A temporary table lives on shard 0 with all its rows. This module cuts the texts
 * from the statement (with libpg-query's scanner, so comments and quoting do not matter).
 */
import * as pgQuery from 'libpg-query';
import type { Route } from './route.js';
import { sqlTokens, type SqlToken } from './sql-tokens.js';

type N = Record<string, any>;

export interface CreateTableAsRoute {
  readonly kind: 'createTableAs';
  /** the statement made `CREATE [TEMP] TABLE … AS <query> WITH NO DATA` */
  readonly create: string;
  /** the query's text, and how it runs */
  readonly select: string;
  readonly source: Route;
  /** false: WITH NO DATA (the table only) */
  readonly withData: boolean;
  /** a temporary table: created and filled on shard 0 */
  readonly temporary: boolean;
  readonly schema: string | undefined;
  readonly name: string;
  /** the column names the statement gives (the query's own for the rest) */
  readonly columns: readonly string[];
  /** CREATE TABLE IF NOT EXISTS … AS */
  readonly ifNotExists: boolean;
}

/**
 * The route of a CREATE TABLE … AS / SELECT … INTO, or the text of a refusal. `routeSelect`
 * routes the query as if the client had sent it alone.
 */
export function createTableAsRoute(sql: string, stmt: N, routeSelect: (sql: string, parsed: N) => Route): CreateTableAsRoute | string {
  const texts = stmt.CreateTableAsStmt ? ctasTexts(sql, stmt.CreateTableAsStmt) : selectIntoTexts(sql, stmt.SelectStmt);
  if (typeof texts === 'string') return texts;
  let parsed: N | undefined;
  try {
    const stmts = pgQuery.parseSync(texts.select).stmts ?? [];
    const only = stmts.length === 1 ? stmts[0]!.stmt as N | undefined : undefined;
    if (only?.SelectStmt && !only.SelectStmt.intoClause) parsed = only;
  } catch {
    // not cut cleanly: refused below
  }
  if (!parsed) return 'this CREATE TABLE AS / SELECT INTO form';
  const source = routeSelect(texts.select, parsed);
  if (source.kind === 'unsupported') return source.error.message.replace(/ is not supported by the shard router yet$/, '');
  if (source.kind !== 'shard0' && source.kind !== 'pinned' && source.kind !== 'fanout') return 'this CREATE TABLE AS / SELECT INTO form';
  const into = (stmt.CreateTableAsStmt?.into ?? stmt.SelectStmt.intoClause) as N;
  return {
    kind: 'createTableAs', create: texts.create, select: texts.select, source,
    withData: !into.skipData, temporary: into.rel.relpersistence === 't',
    schema: into.rel.schemaname, name: into.rel.relname,
    columns: ((into.colNames ?? []) as N[]).map((c) => c.String.sval as string),
    ifNotExists: stmt.CreateTableAsStmt?.if_not_exists === true,
  };
}

/** CREATE TABLE name … AS query [WITH [NO] DATA]: the query starts after the first AS outside parentheses past the name. */
function ctasTexts(sql: string, node: N): { create: string; select: string } | string {
  if (node.objtype !== 'OBJECT_TABLE') return 'CREATE MATERIALIZED VIEW';
  if (!node.query?.SelectStmt) return 'CREATE TABLE AS EXECUTE';
  const tokens = sqlTokens(sql);
  if (!tokens) return 'this CREATE TABLE AS form';
  let i = tokens.findIndex((t) => t.start >= node.into.rel.location);
  let depth = 0;
  for (; i >= 0 && i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keywordKind !== 0 && t.text.toUpperCase() === 'AS') break;
  }
  if (i < 0 || i + 1 >= tokens.length) return 'this CREATE TABLE AS form';
  const end = queryEnd(tokens);
  const select = sql.slice(tokens[i + 1]!.start, end).trim();
  return { create: `${sql.slice(0, end).trimEnd()} WITH NO DATA`, select };
}

/** SELECT … INTO [TEMP | UNLOGGED] [TABLE] name …: the query is the statement without its INTO clause. */
function selectIntoTexts(sql: string, node: N): { create: string; select: string } | string {
  const tokens = sqlTokens(sql);
  if (!tokens) return 'this SELECT INTO form';
  let depth = 0;
  let i = 0;
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.text === '(') depth++;
    else if (t.text === ')') depth--;
    else if (depth === 0 && t.keywordKind !== 0 && t.text.toUpperCase() === 'INTO') break;
  }
  const intoAt = tokens[i]?.start;
  i++;
  while (i < tokens.length && /^(TEMPORARY|TEMP|LOCAL|GLOBAL|UNLOGGED|TABLE)$/i.test(tokens[i]!.text) && tokens[i]!.keywordKind !== 0 && tokens[i]!.start < node.intoClause.rel.location) i++;
  const nameAt = tokens[i]?.start;
  while (tokens[i + 1]?.text === '.' && tokens[i + 2]) i += 2;
  if (intoAt === undefined || nameAt === undefined || tokens[i] === undefined) return 'this SELECT INTO form';
  const name = sql.slice(nameAt, tokens[i]!.end);
  const end = queryEnd(tokens);
  const select = `${sql.slice(0, intoAt).trimEnd()} ${sql.slice(tokens[i]!.end, end).trim()}`.trim();
  const persistence = node.intoClause.rel.relpersistence === 't' ? 'TEMPORARY ' : node.intoClause.rel.relpersistence === 'u' ? 'UNLOGGED ' : '';
  return { create: `CREATE ${persistence}TABLE ${name} AS ${select} WITH NO DATA`, select };
}

/** Where the query ends: before a trailing `WITH [NO] DATA` and semicolons. */
function queryEnd(tokens: readonly SqlToken[]): number {
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.text === ';') last--;
  const word = (k: number): string => tokens[k]?.text.toUpperCase() ?? '';
  if (word(last) === 'DATA') {
    const w = word(last - 1) === 'NO' ? last - 2 : last - 1;
    if (word(w) === 'WITH') return tokens[w]!.start;
  }
  return tokens[last]?.end ?? 0;
}
