/**
 * Text search configurations and their dictionaries, as PostgreSQL 15 ships them:
 * `simple` (every token through the simple dictionary: lower case) and `english`
 * (words through english_stem: the english stop words, then the Snowball English stemmer;
 * numbers, hosts, URLs, emails and paths through simple). Blanks, tags, protocol heads and
 * entities are mapped in neither, so they produce nothing and take no position.
 */
import { createRequire } from 'node:module';
import { SqlError, SqlState } from '../../errors.js';
import { ENGLISH_STOP_WORDS } from './stopwords.js';
import { TOKEN_TYPES } from './parser.js';
import { TEXT_SEARCH_CONFIGS, TEXT_SEARCH_DICTIONARIES, parseRegconfig } from '../../types/regconfig.js';

interface Stemmer { stem(word: string): string }
const require = createRequire(import.meta.url);
// snowball-stemmers' english is Snowball's Porter2, the stemmer PostgreSQL 15 builds as english_stem;
// checked word by word against PostgreSQL on 20 935 distinct words (test/text-search-stemmer.test.ts)
const englishStemmer = (require('snowball-stemmers') as { newStemmer(name: string): Stemmer }).newStemmer('english');

/** a dictionary's answer: lexemes, or [] for a stop word */
type Dictionary = (token: string) => string[];

/**
 * lowerstr: towlower() character by character (C.UTF-8): simple case mapping, so no final
 * sigma and U+0130 becomes a plain 'i' (JavaScript's toLowerCase is the full, contextual one)
 */
function lower(s: string): string {
  let out = '';
  for (const ch of s) {
    if (ch.charCodeAt(0) < 128) { out += ch.toLowerCase(); continue; }
    const l = ch.toLowerCase();
    out += String.fromCodePoint(l.codePointAt(0)!);
  }
  return out;
}

const simple: Dictionary = (t) => [lower(t)];

const STEMMED = new Map<string, string[]>();
const STEMMED_LIMIT = 200_000;

/**
 * english_stem remembered per token: the Snowball stemmer was 70 % of to_tsvector's time
 * (pgvector's hybrid query runs to_tsvector on every keyword candidate) and a corpus
 * repeats its words; a full cache starts over.
 */
const englishStem: Dictionary = (t) => {
  let out = STEMMED.get(t);
  if (!out) {
    out = englishStemUncached(t);
    if (STEMMED.size >= STEMMED_LIMIT) STEMMED.clear();
    STEMMED.set(t, out);
  }
  return out;
};

const englishStemUncached: Dictionary = (t) => {
  const w = lower(t);
  // longer strings are not words: PostgreSQL passes them through lower-cased
  if (Buffer.byteLength(w, 'utf8') > 1000) return [w];
  if (w === '' || ENGLISH_STOP_WORDS.has(w)) return [];
  return [englishStemmer.stem(w)];
};

export interface TextSearchDictionary { readonly oid: number; readonly name: string; readonly lexize: Dictionary }

const DICTIONARIES: readonly TextSearchDictionary[] = TEXT_SEARCH_DICTIONARIES.map((d) => ({ ...d, lexize: d.name === 'english_stem' ? englishStem : simple }));

/** a dictionary by OID (ts_lexize) */
export function dictionaryByOid(oid: number): TextSearchDictionary {
  const d = DICTIONARIES.find((x) => x.oid === oid);
  if (!d) throw new SqlError(SqlState.undefinedObject, `text search dictionary ${oid} does not exist`);
  return d;
}

export interface TextSearchConfig {
  readonly oid: number;
  readonly name: string;
  /** dictionary per token type id; absent: the token is skipped */
  readonly map: ReadonlyMap<number, TextSearchDictionary>;
}

const typeId = (alias: string): number => TOKEN_TYPES.indexOf(alias as (typeof TOKEN_TYPES)[number]);

const ALL_MAPPED = ['asciiword', 'word', 'numword', 'asciihword', 'hword', 'numhword', 'hword_asciipart', 'hword_part', 'hword_numpart',
  'email', 'url', 'host', 'sfloat', 'version', 'url_path', 'file', 'float', 'int', 'uint'];
const ENGLISH_STEMMED = new Set(['asciiword', 'word', 'asciihword', 'hword', 'hword_asciipart', 'hword_part']);

function config(oid: number, name: string, stem: boolean): TextSearchConfig {
  const map = new Map<number, TextSearchDictionary>();
  const byName = (n: string): TextSearchDictionary => DICTIONARIES.find((d) => d.name === n)!;
  for (const alias of ALL_MAPPED) map.set(typeId(alias), byName(stem && ENGLISH_STEMMED.has(alias) ? 'english_stem' : 'simple'));
  return { oid, name, map };
}

export const CONFIGS: readonly TextSearchConfig[] = TEXT_SEARCH_CONFIGS.map((c) => config(c.oid, c.name, c.name === 'english'));

export function configByOid(oid: number): TextSearchConfig {
  const c = CONFIGS.find((x) => x.oid === oid);
  if (!c) throw new SqlError(SqlState.undefinedObject, `text search configuration ${oid} does not exist`);
  return c;
}

/** default_text_search_config → configuration */
export function defaultConfig(setting: string | undefined): TextSearchConfig {
  return configByOid(parseRegconfig(setting ?? 'pg_catalog.english'));
}
