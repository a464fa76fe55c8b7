/**
 * The pieces of C's strtof that pgvector's text input functions (vector_in, halfvec_in,
 * sparsevec_in) share, and the `[x, y, …]` list vector_in and halfvec_in both read.
 */
import { SqlError, SqlState } from '../errors.js';

/** isspace() in the C locale */
export const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\v' || c === '\f';

/** what strtof accepts (decimal, inf/infinity/nan; C locale), after leading whitespace; sticky */
export const STRTOF = /[+-]?(?:inf(?:inity)?|nan|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)/iy;

/** Whether a token STRTOF matched spells infinity or NaN out. */
export function isInfOrNanLiteral(token: string): boolean {
  return /^[+-]?(?:inf|nan)/i.test(token);
}

/** The double strtod reads from a token STRTOF matched. */
export function strtodValue(token: string): number {
  if (!isInfOrNanLiteral(token)) return Number(token);
  return /nan/i.test(token) ? NaN : token.startsWith('-') ? -Infinity : Infinity;
}

export interface FloatListType {
  /** the SQL type name in messages: vector, halfvec */
  readonly name: string;
  readonly maxDim: number;
  /** one element from its token and strtod value: converted, range- and NaN-checked */
  element(token: string, d: number): number;
}

function invalidSyntax(type: FloatListType, lit: string, detail?: string): SqlError {
  return new SqlError(SqlState.invalidTextRepresentation, `invalid input syntax for type ${type.name}: "${lit}"`, detail ? { detail } : {});
}

/**
 * `[x, y, …]` with pgvector's exact errors, in its order (the caller checks the dimension
 * count against the type and typmod).
 */
export function parseFloatList(lit: string, type: FloatListType): number[] {
  let pt = 0;
  while (isSpace(lit[pt])) pt++;
  if (lit[pt] !== '[') throw invalidSyntax(type, lit, 'Vector contents must start with "[".');
  pt++;
  while (isSpace(lit[pt])) pt++;
  if (lit[pt] === ']') throw new SqlError(SqlState.dataException, `${type.name} must have at least 1 dimension`);
  const x: number[] = [];
  for (;;) {
    if (x.length === type.maxDim) throw new SqlError(SqlState.programLimitExceeded, `${type.name} cannot have more than ${type.maxDim} dimensions`);
    while (isSpace(lit[pt])) pt++;
    if (pt >= lit.length) throw invalidSyntax(type, lit);
    STRTOF.lastIndex = pt;
    const m = STRTOF.exec(lit);
    if (!m) throw invalidSyntax(type, lit);
    const token = m[0];
    x.push(type.element(token, strtodValue(token)));
    pt += token.length;
    while (isSpace(lit[pt])) pt++;
    if (lit[pt] === ',') pt++;
    else if (lit[pt] === ']') { pt++; break; }
    else throw invalidSyntax(type, lit);
  }
  while (isSpace(lit[pt])) pt++;
  if (pt < lit.length) throw invalidSyntax(type, lit, 'Junk after closing right brace.');
  return x;
}
