/**
 * EXPLAIN prints a tsquery built from constants as PostgreSQL does: its planner folds
 * immutable calls with constant arguments (eval_const_expressions), so
 * `tsv @@ to_tsquery('english', 'cat & dog')` shows as `(tsv @@ '''cat'' & ''dog'''::tsquery)`.
 * Folded here: to_tsquery, plainto_tsquery, phraseto_tsquery and websearch_to_tsquery with
 * a regconfig (without one they read default_text_search_config: stable, never folded),
 * and the tsquery operators || && !! <-> over folded operands. Only for display: a call
 * whose evaluation fails (a syntax error) prints as written and fails when it runs.
 */
import { configByOid } from '../functions/text-search/config.js';
import { phraseToTsquery, plainToTsquery, toTsquery, tsqueryAnd, tsqueryNot, tsqueryOr, tsqueryPhrase, websearchToTsquery } from '../functions/text-search/query.js';
import type { TextSearchConfig } from '../functions/text-search/config.js';
import { parseRegconfig } from '../types/regconfig.js';
import { OID } from '../types/types.js';
import type { Expr } from './plan.js';

const BUILDERS: Record<string, (cfg: TextSearchConfig, text: string) => string> = {
  to_tsquery: toTsquery, plainto_tsquery: plainToTsquery, phraseto_tsquery: phraseToTsquery, websearch_to_tsquery: websearchToTsquery,
};

const OPERATORS: Record<string, (args: string[]) => string> = {
  '||': ([a, b]) => tsqueryOr(a!, b!),
  '&&': ([a, b]) => tsqueryAnd(a!, b!),
  '!!': ([a]) => tsqueryNot(a!),
  '<->': ([a, b]) => tsqueryPhrase(a!, b!),
};

/** The text of a non-NULL string constant, possibly cast to text or varchar. */
function constantText(e: Expr): string | undefined {
  if (e.kind === 'const') return typeof e.value === 'string' ? e.value : undefined;
  if (e.kind === 'cast' && (e.type.oid === OID.text || e.type.oid === OID.varchar)) return constantText(e.arg);
  return undefined;
}

/** A constant regconfig's OID: an OID constant, or a name cast to regconfig. */
function constantConfig(e: Expr): number | undefined {
  if (e.type.oid !== OID.regconfig) return undefined;
  if (e.kind === 'const') return typeof e.value === 'number' ? e.value : typeof e.value === 'string' ? parseRegconfig(e.value) : undefined;
  if (e.kind === 'cast') {
    const name = constantText(e.arg) ?? (e.arg.kind === 'const' && typeof e.arg.value === 'string' ? e.arg.value : undefined);
    return name === undefined ? undefined : parseRegconfig(name);
  }
  return undefined;
}

/** The tsquery text `e` folds to, or undefined when it does not fold. */
export function foldedTsquery(e: Expr): string | undefined {
  if (e.type.oid !== OID.tsquery) return undefined;
  try {
    if (e.kind === 'const') return typeof e.value === 'string' ? e.value : undefined;
    if (e.kind !== 'call') return undefined;
    const build = BUILDERS[e.name];
    if (build && e.args.length === 2) {
      const cfg = constantConfig(e.args[0]!);
      const text = constantText(e.args[1]!);
      return cfg === undefined || text === undefined ? undefined : build(configByOid(cfg), text);
    }
    const op = OPERATORS[e.name];
    if (!op || e.args.length !== (e.name === '!!' ? 1 : 2)) return undefined;
    const operands = e.args.map(foldedTsquery);
    return operands.every((x) => x !== undefined) ? op(operands as string[]) : undefined;
  } catch {
    return undefined;
  }
}
