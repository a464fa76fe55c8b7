/**
 * The parser adapter: PostgreSQL's own grammar (libpg-query, WASM) → raw statements.
 * The raw parse tree is typed by @pgsql/types; the binder turns it into Quiver's bound
 * plan nodes, so nothing past src/sql/ ever sees the library's tree.
 */
import * as pg from 'libpg-query';
import type { Node, ParseResult } from '@pgsql/types';
import { SqlError, SqlState, isStackOverflow, stackDepthError } from '../errors.js';

/** The binder's untyped view of a parse-tree node (typed code uses @pgsql/types' Node). */
export type RawNode = Record<string, any>;

export interface RawStatement {
  /** e.g. { SelectStmt: {...} } */
  readonly node: Node;
  /** the statement's own text (for error positions relative to the whole query) */
  readonly text: string;
  /** 0-based offset of this statement within the query string */
  readonly offset: number;
}

let loaded = false;

export async function loadParser(): Promise<void> {
  if (!loaded) {
    await pg.loadModule();
    loaded = true;
  }
}

/**
 * The last parse splitStatements made of a one-statement text: the Query or Parse that
 * split it prepares that same text next, and takes this tree instead of parsing again.
 * Any other parse takes it away (whatever its text), so a tree reaches at most one caller
 * besides splitStatements, which only counts its statements: when the session's statement
 * cache answers the prepare, the tree stays, and the same text sent again is split without
 * a parse at all.
 */
let splitParse: { readonly sql: string; readonly stmts: RawStatement[] } | undefined;

/** gram.y's errors reported without a position (insertSelectOptions' WITH TIES check) */
const POSITIONLESS_GRAMMAR_ERRORS = new Set(['WITH TIES cannot be specified without ORDER BY clause']);

/** Parse a query string that may hold several statements. Throws 42601 with position. */
export function parseSql(sql: string): RawStatement[] {
  const kept = splitParse;
  splitParse = undefined;
  if (kept !== undefined && kept.sql === sql) return kept.stmts;
  let result: ParseResult;
  try {
    result = pg.parseSync(sql) as never;
  } catch (e) {
    if (isStackOverflow(e)) throw stackDepthError();
    const details = (e as { sqlDetails?: { message: string; cursorPosition: number } }).sqlDetails;
    const message = details?.message ?? (e instanceof Error ? e.message : String(e));
    // gram.y raises a few errors without parser_errposition: libpg_query still gives a cursor
    const positionless = POSITIONLESS_GRAMMAR_ERRORS.has(message);
    const position = details && details.cursorPosition >= 0 && !positionless ? details.cursorPosition + 1 : undefined;
    // PostgreSQL reports lexer errors (unterminated strings, …) as syntax errors too; the
    // grammar's checks of window frame bounds are windowing errors (gram.y).
    const code = /^frame (start|end|starting from)/.test(message) ? SqlState.windowingError : SqlState.syntaxError;
    throw new SqlError(code, message, position !== undefined ? { position } : {});
  }
  const stmts = result.stmts ?? [];
  const out: RawStatement[] = [];
  for (let i = 0; i < stmts.length; i++) {
    const s = stmts[i];
    const offset = s.stmt_location ?? 0;
    // The library omits the last statement's length: it runs to the end.
    const len = s.stmt_len ?? (i === stmts.length - 1 ? sql.length - offset : 0);
    const text = sql.slice(offset, offset + (len || sql.length - offset));
    if (s.stmt) out.push({ node: s.stmt, text, offset });
  }
  return out;
}

/** Split a simple-Query string into statement texts (empty statements dropped). */
export function splitStatements(sql: string): string[] {
  if (sql.trim() === '') return [];
  let stmts: RawStatement[];
  try {
    stmts = parseSql(sql);
  } catch {
    return [sql]; // let prepare() report the syntax error with its position
  }
  // one statement is the query string as sent (with its ';'), as PostgreSQL keeps it for
  // pg_stat_activity, pg_cursors and pg_prepared_statements
  if (stmts.length === 1) {
    splitParse = { sql, stmts };
    return [sql];
  }
  return stmts.map((s) => s.text);
}
