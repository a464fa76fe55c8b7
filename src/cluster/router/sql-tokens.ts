/**
 * A statement's tokens by libpg-query's scanner (keywords, names, literals, punctuation;
 * comments left out), for the router's rewrites that cut or extend a client's text: quoting,
 * dollar quoting and comments then cannot mislead them.
 */
import * as pgQuery from 'libpg-query';

export interface SqlToken {
  readonly start: number;
  readonly end: number;
  readonly text: string;
  /** 0: not a keyword */
  readonly keywordKind: number;
  /** the scanner's name: PARAM, IDENT, SCONST, … */
  readonly tokenName: string;
}

/** The tokens of `sql` without comments; undefined when it does not scan. */
export function sqlTokens(sql: string): SqlToken[] | undefined {
  try {
    const { tokens } = pgQuery.scanSync(sql) as { tokens: SqlToken[] };
    return tokens.filter((t) => t.tokenName !== 'SQL_COMMENT' && t.tokenName !== 'C_COMMENT');
  } catch {
    return undefined;
  }
}

/** The end of the statement's last token other than `;`: text appended there is not in a trailing comment. */
export function statementEnd(sql: string): number {
  const tokens = sqlTokens(sql);
  if (!tokens) return sql.replace(/[\s;]+$/, '').length;
  let last = tokens.length - 1;
  while (last >= 0 && tokens[last]!.text === ';') last--;
  return last < 0 ? sql.length : tokens[last]!.end;
}

/** `text` with each parameter `$n` made `$(n + by)` (a clause moved into a statement that binds `by` parameters first). */
export function shiftParams(text: string, by: number): string {
  const tokens = sqlTokens(text);
  if (!tokens || by === 0) return text;
  let out = '';
  let from = 0;
  for (const t of tokens) {
    if (t.tokenName !== 'PARAM') continue;
    out += `${text.slice(from, t.start)}$${Number(t.text.slice(1)) + by}`;
    from = t.end;
  }
  return out + text.slice(from);
}
