/**
 * Walking a statement's text where the router edits it (inserting rows, splicing a SELECT,
 * reading EXPLAIN's options): blanks and comments, balanced parentheses around quoted text,
 * and the first source location inside a parse tree.
 */

/** `i` moved past white space and comments. */
export function skipBlank(sql: string, i: number): number {
  for (;;) {
    while (i < sql.length && /\s/.test(sql[i]!)) i++;
    if (sql.startsWith('--', i)) {
      const nl = sql.indexOf('\n', i);
      i = nl < 0 ? sql.length : nl + 1;
    } else if (sql.startsWith('/*', i)) {
      const close = sql.indexOf('*/', i + 2);
      i = close < 0 ? sql.length : close + 2;
    } else return i;
  }
}

/** The index of the ')' closing the '(' at `open`, skipping strings, identifiers, dollar quotes and comments; -1 if none. */
export function matchParen(sql: string, open: number): number {
  let depth = 0;
  for (let i = open; i < sql.length; i++) {
    const ch = sql[i]!;
    if (ch === "'" || ch === '"') {
      const close = endOfQuoted(sql, i, ch);
      if (close < 0) return -1;
      i = close;
    } else if (ch === '$' && /^\$[A-Za-z_]*\$/.test(sql.slice(i))) {
      const tag = /^\$[A-Za-z_]*\$/.exec(sql.slice(i))![0];
      const close = sql.indexOf(tag, i + tag.length);
      if (close < 0) return -1;
      i = close + tag.length - 1;
    } else if (sql.startsWith('--', i) || sql.startsWith('/*', i)) {
      i = skipBlank(sql, i) - 1;
    } else if (ch === '(') depth++;
    else if (ch === ')' && --depth === 0) return i;
  }
  return -1;
}

/** The closing quote of the string or identifier opened at `open` (doubled quotes, E'' escapes). */
function endOfQuoted(sql: string, open: number, q: string): number {
  const escapes = q === "'" && open > 0 && /[eE]/.test(sql[open - 1]!);
  for (let i = open + 1; i < sql.length; i++) {
    if (escapes && sql[i] === '\\') i++;
    else if (sql[i] === q) {
      if (sql[i + 1] === q) i++;
      else return i;
    }
  }
  return -1;
}

/** The smallest (0-based) `location` anywhere inside a libpg-query tree. */
export function firstLocation(e: unknown): number | undefined {
  let best: number | undefined;
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === 'location' && typeof x === 'number' && x >= 0) best = best === undefined ? x : Math.min(best, x);
        else visit(x);
      }
    }
  };
  visit(e);
  return best;
}

type ParseNode = Record<string, any>;

/** The operands of an AND tree's `a = b` conjuncts, each pair both ways round ([a, b] then [b, a]). */
export function equalityOperandPairs(e: ParseNode | undefined): [ParseNode, ParseNode][] {
  const out: [ParseNode, ParseNode][] = [];
  const visit = (x: ParseNode | undefined): void => {
    if (!x) return;
    if (x.BoolExpr?.boolop === 'AND_EXPR') return x.BoolExpr.args.forEach(visit);
    const op = x.A_Expr;
    if (!op || op.kind !== 'AEXPR_OP' || op.name?.length !== 1 || op.name[0].String?.sval !== '=') return;
    out.push([op.lexpr, op.rexpr], [op.rexpr, op.lexpr]);
  };
  visit(e);
  return out;
}
