/**
 * Functions written in the SQL standard's own syntax, printed back in it as PostgreSQL 15's
 * ruleutils.c get_func_sql_syntax does for a FuncExpr of funcformat COERCE_SQL_SYNTAX:
 * `EXTRACT(month FROM d)`, `SUBSTRING(t FROM 2 FOR 3)`, `TRIM(BOTH 'x' FROM t)`,
 * `POSITION(('a') IN (t))`, `OVERLAY(t PLACING 'x' FROM 2)`, `(ts AT TIME ZONE 'UTC')`,
 * `NORMALIZE(t, NFKC)`, `(t IS NFC NORMALIZED)`, `((a, b) OVERLAPS (c, d))`.
 * The same functions called by name (`date_part('month', d)`, `btrim(t)`) stay calls; a form
 * PostgreSQL has no rule for (substring by regular expression) is undefined: a call.
 */
import { OID } from '../types/types.js';
import { quoteIdent } from '../types/identifiers.js';
import type { Expr } from './plan.js';

type Call = Extract<Expr, { kind: 'call' }>;

const TRIM_SIDES: Readonly<Record<string, string>> = { btrim: 'BOTH', ltrim: 'LEADING', rtrim: 'TRAILING' };

/** A text constant's own characters (EXTRACT's field is printed bare). */
function bareText(e: Expr | undefined): string | undefined {
  return e?.kind === 'const' && typeof e.value === 'string' ? e.value : undefined;
}

export function sqlSyntaxCall(e: Call, d: (x: Expr) => string): string | undefined {
  const a = e.args;
  switch (e.name) {
    case 'extract': {
      const field = bareText(a[0]);
      return field !== undefined && a.length === 2 ? `EXTRACT(${field} FROM ${d(a[1])})` : undefined;
    }
    case 'substring':
      // the integer-position forms only; SUBSTRING(t FROM 'regex') is "substring"(t, 'regex')
      if (a.length < 2 || a.length > 3 || a[1].type.oid !== OID.int4) return undefined;
      return `SUBSTRING(${d(a[0])} FROM ${d(a[1])}${a.length === 3 ? ` FOR ${d(a[2])}` : ''})`;
    case 'btrim': case 'ltrim': case 'rtrim':
      if (a.length < 1 || a.length > 2) return undefined;
      return `TRIM(${TRIM_SIDES[e.name]}${a.length === 2 ? ` ${d(a[1])}` : ''} FROM ${d(a[0])})`;
    // extra parentheses: POSITION's operands are b_expr, not a_expr
    case 'position': return a.length === 2 ? `POSITION((${d(a[1])}) IN (${d(a[0])}))` : undefined;
    case 'collate': return a.length === 2 && bareText(a[1]) !== undefined ? `(${d(a[0])} COLLATE ${quoteIdent(bareText(a[1])!)})` : undefined;
    case 'overlay':
      if (a.length < 3 || a.length > 4) return undefined;
      return `OVERLAY(${d(a[0])} PLACING ${d(a[1])} FROM ${d(a[2])}${a.length === 4 ? ` FOR ${d(a[3])}` : ''})`;
    // timezone(zone, value): the arguments the other way round
    case 'timezone': return a.length === 2 ? `(${d(a[1])} AT TIME ZONE ${d(a[0])})` : undefined;
    case 'overlaps': {
      // its operands print without their implicit casts (get_rule_expr's showimplicit false)
      const [s1, e1, s2, e2] = a.map((x) => d(x.kind === 'cast' && !x.explicit ? x.arg : x));
      return a.length === 4 ? `((${s1}, ${e1}) OVERLAPS (${s2}, ${e2}))` : undefined;
    }
    // the form is printed bare; a call without one shows the default PostgreSQL's planner fills in
    case 'normalize': return a.length <= 2 ? `NORMALIZE(${d(a[0])}, ${bareText(a[1]) ?? 'NFC'})` : undefined;
    case 'is_normalized': return a.length <= 2 ? `(${d(a[0])} IS ${bareText(a[1]) ?? 'NFC'} NORMALIZED)` : undefined;
    default: return undefined;
  }
}
