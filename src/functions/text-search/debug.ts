/**
 * Looking inside the text search machinery: ts_token_type, ts_parse (the default parser,
 * 'default' / OID 3722), ts_lexize and ts_debug, as PostgreSQL 15 answers them.
 */
import { SqlError, SqlState } from '../../errors.js';
import type { Row, Value } from '../../types/types.js';
import { TOKEN_DESCRIPTIONS, TOKEN_TYPES, parseTokens } from './parser.js';
import { dictionaryByOid, type TextSearchConfig } from './config.js';

const DEFAULT_PARSER_OID = 3722;

/** the parser argument: 'default' (any pg_catalog spelling) or its OID */
export function checkParser(p: Value): void {
  if (typeof p === 'number') {
    if (p !== DEFAULT_PARSER_OID) throw new SqlError(SqlState.undefinedObject, `cache lookup failed for text search parser ${p}`);
    return;
  }
  const name = String(p).trim().replace(/^pg_catalog\./i, '');
  if ((name.startsWith('"') ? name.slice(1, -1) : name.toLowerCase()) !== 'default') {
    throw new SqlError(SqlState.undefinedObject, `text search parser "${String(p)}" does not exist`);
  }
}

export function tokenTypeRows(parser: Value): Row[] {
  checkParser(parser);
  return TOKEN_TYPES.slice(1).map((alias, i) => [i + 1, alias, TOKEN_DESCRIPTIONS[i + 1]!]);
}

export function parseRows(parser: Value, text: string): Row[] {
  checkParser(parser);
  return parseTokens(text).map((t) => [t.type, t.text]);
}

/** ts_lexize: the lexemes, [] for a stop word */
export function lexize(dict: number, word: string): Value[] {
  return [...dictionaryByOid(dict).lexize(word)];
}

/** ts_debug: alias, description, token, dictionaries, dictionary, lexemes per token */
export function debugRows(cfg: TextSearchConfig, text: string): Row[] {
  return parseTokens(text).map((t): Row => {
    const dict = cfg.map.get(t.type);
    const head: Row = [TOKEN_TYPES[t.type]!, TOKEN_DESCRIPTIONS[t.type]!, t.text];
    if (!dict) return [...head, [], null, null];
    return [...head, [dict.oid], dict.oid, [...dict.lexize(t.text)]];
  });
}
